"""A self-hostable, Cloud-Elements-compatible unified CRM connector for Autotask PSA."""

__version__ = "0.1.0"
