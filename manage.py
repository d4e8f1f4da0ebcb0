#!/usr/bin/env python
from huikuan.cli import main

if __name__ == "__main__":
    main()
