"""Migration scripts, one per revision (a package so wheels include them)."""
