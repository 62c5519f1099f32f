"""The subcommands of `autotask-connector`, one module each; connector.cli parses and dispatches."""
