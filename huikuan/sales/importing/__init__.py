"""Importing contracts and payment plans from CSV/XLSX (the service behind `huikuan import_contracts`)."""

from .contracts import ContractImportResult, import_contracts
from .errors import ImportFailed, RowError

__all__ = ["ContractImportResult", "ImportFailed", "RowError", "import_contracts"]
