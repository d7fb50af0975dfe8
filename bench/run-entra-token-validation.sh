#!/usr/bin/env bash
# What authenticating an Entra ID caller costs with and without the gateway's token cache; prints a Markdown table.
# Usage: bench/run-entra-token-validation.sh [fresh tokens, default 5000]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/EntraTokenValidation/EntraTokenValidation.csproj -c Release -nologo -clp:ErrorsOnly
exec dotnet bench/EntraTokenValidation/bin/Release/net10.0/EntraTokenValidation.dll "$@"
