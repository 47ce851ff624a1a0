"""The engine without a database: runtime, expressions, calendar, forms,
definitions, clock, BSN and the audit hash chain. Imports nothing of the rest
of ``engine`` but :mod:`engine.errors`."""
