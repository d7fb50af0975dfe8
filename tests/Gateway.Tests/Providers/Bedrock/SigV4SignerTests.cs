using System.Text;
using Amazon.Runtime;
using Gateway.Providers.Bedrock.Aws;

namespace Gateway.Tests.Providers.Bedrock;

/// <summary>Signature Version 4 against the examples of the AWS General Reference and the AWS SigV4 test suite.</summary>
public sealed class SigV4SignerTests
{
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static readonly ImmutableCredentials Example = new("AKIDEXAMPLE", ExampleSecret, null);

    [Fact]
    public void Signing_key_derivation_matches_the_documented_example()
    {
        var key = SigV4Signer.DeriveSigningKey(ExampleSecret, "20120215", "us-east-1", "iam");

        Assert.Equal("f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d", SigV4Signer.Hex(key));
    }

    [Fact]
    public void The_IAM_ListUsers_example_signs_as_documented()
    {
        var headers = new Dictionary<string, string>
        {
            ["content-type"] = "application/x-www-form-urlencoded; charset=utf-8",
            ["host"] = "iam.amazonaws.com",
            ["x-amz-date"] = "20150830T123600Z",
        };
        var canonical = SigV4Signer.CanonicalRequest("GET", "/", "?Action=ListUsers&Version=2010-05-08", headers, "content-type;host;x-amz-date", []);

        Assert.Equal("f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59", SigV4Signer.Hex(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        Assert.Equal("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7", new SigV4Signer("us-east-1", "iam").Signature(Example, "20150830T123600Z", canonical));
    }

    [Fact]
    public void The_test_suites_get_vanilla_request_signs_as_published()
    {
        var headers = new Dictionary<string, string> { ["host"] = "example.amazonaws.com", ["x-amz-date"] = "20150830T123600Z" };
        var canonical = SigV4Signer.CanonicalRequest("GET", "/", string.Empty, headers, "host;x-amz-date", []);

        Assert.Equal("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", new SigV4Signer("us-east-1", "service").Signature(Example, "20150830T123600Z", canonical));
    }

    [Fact]
    public void Sign_adds_the_date_token_and_authorization_headers_scoped_to_region_and_service()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://bedrock-runtime.eu-west-1.amazonaws.com/model/eu.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse")
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        };
        var credentials = new ImmutableCredentials("ASIAEXAMPLE", ExampleSecret, "session-token-value");

        new SigV4Signer("eu-west-1", "bedrock").Sign(request, "{}"u8, credentials, new DateTimeOffset(2026, 3, 1, 8, 30, 0, TimeSpan.Zero));

        Assert.Equal("20260301T083000Z", request.Headers.GetValues("x-amz-date").Single());
        Assert.Equal("session-token-value", request.Headers.GetValues("x-amz-security-token").Single());
        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20260301/eu-west-1/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", authorization, StringComparison.Ordinal);
        Assert.DoesNotContain(ExampleSecret, authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void Path_segments_are_encoded_a_second_time_as_every_service_but_S3_expects()
    {
        var headers = new Dictionary<string, string> { ["host"] = "h", ["x-amz-date"] = "20150830T123600Z" };

        var canonical = SigV4Signer.CanonicalRequest("POST", "/model/anthropic.claude-v2%3A1/converse", string.Empty, headers, "host;x-amz-date", []);

        Assert.StartsWith("POST\n/model/anthropic.claude-v2%253A1/converse\n\n", canonical, StringComparison.Ordinal);
    }
}
