#!/usr/bin/env bash
# Writes infra/k8s/overlays/eks/stack.env from the outputs of the deployed CloudFormation stack: each output
# (PascalCase) becomes one setting (UPPER_SNAKE_CASE), e.g. GatewayRoleArn -> GATEWAY_ROLE_ARN.
# Usage: infra/aws/write-stack-env.sh [stack name, default LlmPlatform]   (needs the AWS CLI and credentials)
set -euo pipefail
stack="${1:-LlmPlatform}"
target="$(dirname "$0")/../k8s/overlays/eks/stack.env"
aws cloudformation describe-stacks --stack-name "$stack" \
  --query 'Stacks[0].Outputs[].[OutputKey,OutputValue]' --output text |
  while read -r key value; do
    printf '%s=%s\n' "$(printf '%s' "$key" | sed -E 's/([a-z0-9])([A-Z])/\1_\2/g' | tr '[:lower:]' '[:upper:]')" "$value"
  done | sort > "$target"
echo "wrote $target"
