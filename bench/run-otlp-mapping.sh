#!/usr/bin/env bash
# CPU time and bytes allocated per span on the OTLP path (decode, map, write the stored batch), protobuf and JSON.
# Usage: bench/run-otlp-mapping.sh [spans, default 100000]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/OtlpMapping/OtlpMapping.csproj -c Release -nologo -clp:ErrorsOnly
exec dotnet bench/OtlpMapping/bin/Release/net10.0/OtlpMapping.dll "$@"
