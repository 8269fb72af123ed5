#!/usr/bin/env bash
# Adds a migration NAME for both providers after a change to src/Portal.Data's model:
#   bash db/add-migration.sh AddTeams
# Migrations and model snapshots live in db/migrations/<provider>/ and compile into Portal.Data.
set -euo pipefail
name="${1:?usage: db/add-migration.sh NAME}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  lower=$(echo "$provider" | tr 'A-Z' 'a-z')
  dotnet ef migrations add "$name" --project src/Portal.Data --context "${provider}PortalDbContext" \
    --output-dir "../../db/migrations/$lower" --namespace "Portal.Data.Migrations.$provider"
  # dotnet ef writes a new snapshot beside the namespace's folder; keep it with its migrations.
  stray="src/Portal.Data/Portal/Data/Migrations/$provider/${provider}PortalDbContextModelSnapshot.cs"
  if [ -f "$stray" ]; then mv "$stray" "db/migrations/$lower/"; fi
done
rm -rf src/Portal.Data/Portal
