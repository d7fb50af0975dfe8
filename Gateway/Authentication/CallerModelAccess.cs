using System.Security.Claims;
using Gateway.Authentication.Entra;
using Microsoft.Extensions.Options;

namespace Gateway.Authentication;

/// <summary>
/// Which models a caller may use: today the <c>Models</c> of the key policy an Entra ID caller is mapped to
/// (<see cref="GatewayClaims.PolicyName"/>); callers without a policy may use every model. The one place the model
/// API asks, so a virtual key's allow-list joins here.
/// </summary>
internal sealed class CallerModelAccess(IOptions<EntraCallerPolicies> policies)
{
    public bool Allows(ClaimsPrincipal caller, string model) =>
        caller.FindFirst(GatewayClaims.PolicyName) is not { } policyName
        || policies.Value.Find(policyName.Value) is not { } policy
        || policy.AllowsModel(model);

    /// <summary>Null when the caller may use <paramref name="model"/>, else the 403 to answer.</summary>
    public OpenAiErrorResult? Check(ClaimsPrincipal caller, string model) => Allows(caller, model) ? null : OpenAiErrors.ModelNotAllowed(model);
}
