using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Storage.Relational;
using Storage.Security;

namespace TraceUi.Authentication;

/// <summary>
/// The embedded-mode sign-in: e-mail and password checked against the users table (PBKDF2 hashes). Unknown
/// e-mails cost as much as wrong passwords, so response time does not reveal which accounts exist.
/// </summary>
internal sealed class LocalSignIn(PlatformDbContext db)
{
    private static readonly string DecoyHash = PasswordHasher.Hash(Guid.NewGuid().ToString());

    public async Task<ClaimsPrincipal?> VerifyAsync(string email, string password, CancellationToken cancellationToken)
    {
        var normalized = email.Trim().ToLowerInvariant();
        var user = await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Email == normalized, cancellationToken);
        var verified = PasswordHasher.Verify(password, user?.PasswordHash ?? DecoyHash);
        if (user is null || user.PasswordHash is null || !verified)
        {
            return null;
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(UiAuthentication.UserIdClaim, user.Id),
                new Claim(ClaimTypes.Name, user.Name ?? user.Email),
                new Claim(ClaimTypes.Email, user.Email),
                new Claim(ClaimTypes.Role, user.IsAdmin ? UiAuthentication.AdminRole : UiAuthentication.ViewerRole),
            ],
            UiAuthentication.Scheme,
            ClaimTypes.Name,
            ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }
}
