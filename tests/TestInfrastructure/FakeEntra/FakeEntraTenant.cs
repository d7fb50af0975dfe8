using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TestInfrastructure.FakeEntra;

/// <summary>
/// One Entra ID tenant on real Kestrel at 127.0.0.1, speaking Entra's wire formats: OpenID metadata (v2.0 and v1)
/// and JWKS whose keys carry their <c>issuer</c>, RS256 access tokens shaped like Entra's (<c>ver</c>, <c>tid</c>,
/// the API's client id as audience), and the client-credentials token endpoint (over HTTPS, as MSAL requires).
/// <para>
/// With <c>asMicrosoftLogin</c> the tenant stands in for <c>https://login.microsoftonline.com/</c>: issuers are the
/// real ones and <see cref="CreateBackchannel"/> carries a host's metadata requests here. Otherwise it is its own
/// instance at <see cref="HttpAddress"/>, for a gateway in another process.
/// </para>
/// </summary>
public sealed partial class FakeEntraTenant : IAsyncDisposable
{
    public const string MicrosoftLogin = "https://login.microsoftonline.com/";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _signingKey;
    private readonly RsaSecurityKey _unknownKey;
    private readonly ConcurrentQueue<string> _metadataRequests = new();
    private readonly ConcurrentQueue<IReadOnlyDictionary<string, string>> _tokenRequests = new();
    private readonly ConcurrentDictionary<string, string> _clients = new();

    private FakeEntraTenant(WebApplication app, Uri httpAddress, Uri httpsAddress, X509Certificate2 certificate, bool asMicrosoftLogin)
    {
        _app = app;
        HttpAddress = httpAddress;
        HttpsAddress = httpsAddress;
        TlsCertificate = certificate;
        Instance = asMicrosoftLogin ? MicrosoftLogin : httpAddress.ToString();
        _signingKey = NewKey();
        _unknownKey = NewKey();
    }

    public string TenantId { get; } = Guid.NewGuid().ToString();

    /// <summary>The client id of the protected API (the gateway's app registration): the audience of its tokens.</summary>
    public string ApiClientId { get; } = Guid.NewGuid().ToString();

    /// <summary>What <c>AzureAd:Instance</c> says for this tenant.</summary>
    public string Instance { get; }

    public string Issuer => IssuerOf(TenantId);

    public Uri HttpAddress { get; }

    /// <summary>The token endpoint's host, for a credential's authority host.</summary>
    public Uri HttpsAddress { get; }

    /// <summary>The self-signed certificate of <see cref="HttpsAddress"/>; a client trusts exactly this one.</summary>
    public X509Certificate2 TlsCertificate { get; }

    public IReadOnlyList<string> MetadataRequests => _metadataRequests.ToArray();

    /// <summary>Form fields of each token request, as received.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> TokenRequests => _tokenRequests.ToArray();

    public static async Task<FakeEntraTenant> StartAsync(bool asMicrosoftLogin = true)
    {
        var certificate = SelfSignedLoopbackCertificate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0);
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
        });
        var app = builder.Build();
        FakeEntraTenant? fake = null;
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant, HttpContext context) => fake!.Metadata(tenant, context, v2: true));
        app.MapGet("/{tenant}/.well-known/openid-configuration", (string tenant, HttpContext context) => fake!.Metadata(tenant, context, v2: false));
        app.MapGet("/{tenant}/discovery/v2.0/keys", (string tenant, HttpContext context) => fake!.Keys(tenant, context));
        app.MapGet("/{tenant}/discovery/keys", (string tenant, HttpContext context) => fake!.Keys(tenant, context));
        app.MapPost("/{tenant}/oauth2/v2.0/token", (string tenant, HttpContext context) => fake!.TokenAsync(tenant, context));
        app.MapMethods("/{tenant}/oauth2/v2.0/authorize", ["GET", "POST"], (string tenant, HttpContext context) => fake!.AuthorizeAsync(tenant, context));
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Select(a => new Uri(a)).ToList();
        fake = new FakeEntraTenant(app, addresses.Single(a => a.Scheme == "http"), addresses.Single(a => a.Scheme == "https"), certificate, asMicrosoftLogin);
        return fake;
    }

    public string IssuerOf(string tenantId) => $"{Instance}{tenantId}/v2.0";

    /// <summary>A client application that may get tokens with client credentials.</summary>
    public void RegisterClient(string clientId, string secret) => _clients[clientId] = secret;

    public string CreateToken(FakeEntraToken? token = null)
    {
        token ??= new FakeEntraToken();
        var tenantId = token.TenantId ?? TenantId;
        var now = DateTimeOffset.UtcNow;
        var notBefore = token.NotBefore ?? now.AddMinutes(-5);
        var claims = new Dictionary<string, object>
        {
            ["tid"] = tenantId,
            ["oid"] = token.ObjectId,
            ["sub"] = token.ObjectId,
            ["azp"] = token.ClientAppId,
            ["azpacr"] = "1",
            ["uti"] = Guid.NewGuid().ToString("N"),
        };
        if (token.Version is not null)
        {
            claims["ver"] = token.Version;
        }

        if (token.Roles.Count > 0)
        {
            claims["roles"] = token.Roles.ToArray();
        }

        if (token.Scopes.Count > 0)
        {
            claims["scp"] = string.Join(' ', token.Scopes);
        }

        if (token.Groups.Count > 0)
        {
            claims["groups"] = token.Groups.ToArray();
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = IssuerOf(tenantId),
            Audience = token.Audience ?? ApiClientId,
            IssuedAt = notBefore.UtcDateTime,
            NotBefore = notBefore.UtcDateTime,
            Expires = (token.Expires ?? now.AddHours(1)).UtcDateTime,
            Claims = claims,
            SigningCredentials = token.Signing switch
            {
                FakeEntraSigning.TenantKey => new SigningCredentials(_signingKey, SecurityAlgorithms.RsaSha256),
                FakeEntraSigning.UnknownKey => new SigningCredentials(_unknownKey, SecurityAlgorithms.RsaSha256),
                _ => null,
            },
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>Whether <paramref name="token"/> is one of this tenant's, signed with its key, for <paramref name="audience"/>, and current.</summary>
    public async Task<bool> ValidatesAsync(string token, string audience)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = audience,
            IssuerSigningKey = _signingKey,
        });
        return result.IsValid;
    }

    /// <summary>
    /// An HTTP handler that carries requests addressed to <see cref="Instance"/> to this server (the path kept), as
    /// DNS would send them to Entra: for a host's metadata and issuer-validation clients.
    /// </summary>
    public HttpMessageHandler CreateBackchannel() => new Backchannel(HttpAddress);

    /// <summary>An HTTP handler for <see cref="HttpsAddress"/> that trusts exactly <see cref="TlsCertificate"/>.</summary>
    public HttpMessageHandler CreateTlsClientHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == TlsCertificate.GetCertHashString(),
        },
    };

    private IResult Metadata(string tenantId, HttpContext context, bool v2)
    {
        _metadataRequests.Enqueue(context.Request.Path);
        if (tenantId != TenantId)
        {
            return UnknownTenant(tenantId);
        }

        var issuer = v2 ? Issuer : $"https://sts.windows.net/{TenantId}/";
        var keys = v2 ? $"{Instance}{TenantId}/discovery/v2.0/keys" : $"{Instance}{TenantId}/discovery/keys";
        var root = v2 ? $"{Instance}{TenantId}/oauth2/v2.0" : $"{Instance}{TenantId}/oauth2";
        return Results.Json(new JsonObject
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = $"{root}/authorize",
            ["token_endpoint"] = $"{root}/token",
            ["jwks_uri"] = keys,
            ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
            ["subject_types_supported"] = new JsonArray("pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["tenant_region_scope"] = "EU",
            ["cloud_instance_name"] = "microsoftonline.com",
        });
    }

    private IResult Keys(string tenantId, HttpContext context)
    {
        _metadataRequests.Enqueue(context.Request.Path);
        if (tenantId != TenantId)
        {
            return UnknownTenant(tenantId);
        }

        var parameters = _signingKey.Rsa.ExportParameters(includePrivateParameters: false);
        return Results.Json(new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = _signingKey.KeyId,
                ["x5t"] = _signingKey.KeyId,
                ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
                ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
                ["issuer"] = Issuer,
            }),
        });
    }

    private async Task<IResult> TokenAsync(string tenantId, HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var fields = form.ToDictionary(f => f.Key, f => f.Value.ToString());
        _tokenRequests.Enqueue(fields);
        if (tenantId != TenantId)
        {
            return UnknownTenant(tenantId);
        }

        if (fields.GetValueOrDefault("grant_type") == "authorization_code")
        {
            return RedeemCode(fields, context);
        }

        if (fields.GetValueOrDefault("grant_type") != "client_credentials"
            || !_clients.TryGetValue(fields.GetValueOrDefault("client_id") ?? string.Empty, out var secret)
            || fields.GetValueOrDefault("client_secret") != secret)
        {
            return Results.Json(new JsonObject
            {
                ["error"] = "invalid_client",
                ["error_description"] = "AADSTS7000215: Invalid client secret provided.",
                ["error_codes"] = new JsonArray(7000215),
            }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var scope = fields.GetValueOrDefault("scope") ?? string.Empty;
        var resource = scope.EndsWith("/.default", StringComparison.Ordinal) ? scope[..^"/.default".Length] : scope;
        var token = CreateToken(new FakeEntraToken { Audience = resource, ClientAppId = fields["client_id"], Roles = ["Cognitive Services OpenAI User"] });
        return Results.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = token,
        });
    }

    private static IResult UnknownTenant(string tenantId) => Results.Json(new JsonObject
    {
        ["error"] = "invalid_tenant",
        ["error_description"] = $"AADSTS90002: Tenant '{tenantId}' not found.",
        ["error_codes"] = new JsonArray(90002),
    }, statusCode: StatusCodes.Status400BadRequest);

    private static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Guid.NewGuid().ToString("N") };

    private static X509Certificate2 SelfSignedLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        TlsCertificate.Dispose();
        _signingKey.Rsa.Dispose();
        _unknownKey.Rsa.Dispose();
    }

    private sealed class Backchannel(Uri target) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new Uri(target, request.RequestUri!.PathAndQuery);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
