"""Loading a county's data: villages, persons, enrolments, payments (CSV/XLSX) and policies (TOML).

`formats` says what each kind of file holds, `sources` turns a file into rows,
`validate` turns a row into typed values or a clerk-readable error, and `loader`
imports a file in one transaction.
"""
