"""Click commands, one module per area; each imports its heavy parts inside the command."""
