"""Use-case services over one database session; handlers call these, never the tables directly."""
