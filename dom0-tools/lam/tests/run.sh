#!/bin/sh
# Placeholder until the CLI tests land.
echo "SKIP lam-cli" >> "$RESULTS"
