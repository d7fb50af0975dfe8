using Storage.Security;

namespace Storage.Tests.Security;

public sealed class ApiKeySecretHasherTests
{
    [Fact]
    public void Verifies_only_the_hashed_secret_with_its_own_salt()
    {
        var (salt, hash) = ApiKeySecretHasher.Hash("sk-lf-secret");
        var (otherSalt, _) = ApiKeySecretHasher.Hash("sk-lf-secret");

        Assert.True(ApiKeySecretHasher.Verify("sk-lf-secret", salt, hash));
        Assert.False(ApiKeySecretHasher.Verify("sk-lf-secreT", salt, hash));
        Assert.False(ApiKeySecretHasher.Verify("sk-lf-secret", otherSalt, hash));
    }

    [Fact]
    public void Display_form_keeps_prefix_and_last_four_characters_only()
    {
        var secret = SecretGenerator.Generate(SecretGenerator.ProjectSecretKeyPrefix);

        var display = ApiKeySecretHasher.Display(secret);

        Assert.Equal($"sk-lf-...{secret[^4..]}", display);
    }

    [Fact]
    public void Generated_secrets_carry_their_prefix_and_256_random_bits()
    {
        var first = SecretGenerator.Generate("sk-");
        var second = SecretGenerator.Generate("sk-");

        Assert.StartsWith("sk-", first, StringComparison.Ordinal);
        Assert.Equal(3 + 64, first.Length);
        Assert.NotEqual(first, second);
    }
}
