"""REST API for the outbox (read, plus requeue); the router line lives in huikuan/api_urls.py."""
