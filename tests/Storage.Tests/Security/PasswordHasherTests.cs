using Storage.Security;

namespace Storage.Tests.Security;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verifies_the_password_it_hashed_and_rejects_others()
    {
        var hash = PasswordHasher.Hash("correct horse battery staple");

        Assert.True(PasswordHasher.Verify("correct horse battery staple", hash));
        Assert.False(PasswordHasher.Verify("correct horse battery stapl", hash));
        Assert.DoesNotContain("correct", hash, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_password_hashes_differently_each_time()
    {
        Assert.NotEqual(PasswordHasher.Hash("pw"), PasswordHasher.Hash("pw"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("pbkdf2-sha256$abc$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$1000$not base64!$AAAA")]
    [InlineData("md5$1$AAAA$AAAA")]
    public void Malformed_hashes_never_verify(string encoded)
    {
        Assert.False(PasswordHasher.Verify("pw", encoded));
    }
}
