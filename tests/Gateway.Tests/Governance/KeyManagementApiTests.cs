using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Storage.Relational;

namespace Gateway.Tests.Governance;

/// <summary>LiteLLM's <c>/key/*</c> routes on one gateway with the embedded store.</summary>
public sealed class KeyManagementApiTests : ManagementApiTest
{
    [Fact]
    public async Task Generate_shows_the_key_once_and_info_returns_every_field_under_LiteLLMs_names()
    {
        (await Host.PostAsync("/team/new", """{"team_id":"core","models":["chat","other"]}""")).AssertOk();
        var before = DateTimeOffset.UtcNow;

        var generated = (await Host.PostAsync("/key/generate", """
            {"key_alias":"ci-bot","duration":"30d","models":["chat"],"max_budget":12.5,"soft_budget":10,"budget_duration":"30d",
             "tpm_limit":1000,"rpm_limit":60,"max_parallel_requests":5,"metadata":{"owner":"ci","n":1},"tags":["ci","nightly"],
             "blocked":false,"user_id":"u-1","team_id":"core","aliases":{},"config":{},"permissions":{}}
            """)).AssertOk().Body!;

        var key = generated["key"]!.GetValue<string>();
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        var token = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        Assert.Equal(token, generated["token"]!.GetValue<string>());
        Assert.Equal(token, generated["token_id"]!.GetValue<string>());
        Assert.Equal($"sk-...{key[^4..]}", generated["key_name"]!.GetValue<string>());
        var info = (await Host.GetAsync($"/key/info?key={key}")).AssertOk().Body!;
        Assert.Equal(token, info["key"]!.GetValue<string>());
        foreach (var fields in new[] { generated, info["info"]! })
        {
            AssertFields(fields, token, before);
        }

        Assert.Null(info["info"]!["key"]);
        var byToken = (await Host.GetAsync($"/key/info?key={token}")).AssertOk().Body!;
        Assert.Equal("ci-bot", byToken["info"]!["key_alias"]!.GetValue<string>());
    }

    private static void AssertFields(JsonNode fields, string token, DateTimeOffset before)
    {
        Assert.Equal(token, fields["token"]!.GetValue<string>());
        Assert.Equal("ci-bot", fields["key_alias"]!.GetValue<string>());
        Assert.Equal(["chat"], fields["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(12.5, fields["max_budget"]!.GetValue<double>());
        Assert.Equal(10, fields["soft_budget"]!.GetValue<double>());
        Assert.Equal("30d", fields["budget_duration"]!.GetValue<string>());
        Assert.Equal(1000, fields["tpm_limit"]!.GetValue<long>());
        Assert.Equal(60, fields["rpm_limit"]!.GetValue<long>());
        Assert.Equal(5, fields["max_parallel_requests"]!.GetValue<int>());
        Assert.Equal("""{"owner":"ci","n":1}""", fields["metadata"]!.ToJsonString());
        Assert.Equal(["ci", "nightly"], fields["tags"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.False(fields["blocked"]!.GetValue<bool>());
        Assert.Equal("u-1", fields["user_id"]!.GetValue<string>());
        Assert.Equal("core", fields["team_id"]!.GetValue<string>());
        Assert.Equal(0, fields["spend"]!.GetValue<double>());
        Assert.InRange(DateTimeOffset.Parse(fields["expires"]!.GetValue<string>()), before.AddDays(30).AddMinutes(-1), before.AddDays(30).AddMinutes(1));
        Assert.InRange(DateTimeOffset.Parse(fields["budget_reset_at"]!.GetValue<string>()), before.AddDays(30).AddMinutes(-1), before.AddDays(30).AddMinutes(1));
        Assert.InRange(DateTimeOffset.Parse(fields["created_at"]!.GetValue<string>()), before.AddMinutes(-1), before.AddMinutes(1));
        Assert.NotNull(fields["updated_at"]);
        Assert.Equal("master_key", fields["created_by"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_block_list_regenerate_and_delete_round_trip()
    {
        var key = await Host.GenerateKeyAsync(new JsonObject { ["key_alias"] = "svc", ["models"] = new JsonArray("chat") });
        var other = await Host.GenerateKeyAsync();

        var updated = (await Host.PostAsync("/key/update", new JsonObject
        {
            ["key"] = key, ["key_alias"] = "svc-renamed", ["models"] = new JsonArray("chat", "other"), ["max_budget"] = 3,
            ["rpm_limit"] = 7, ["metadata"] = new JsonObject { ["env"] = "prod" }, ["tags"] = new JsonArray("x"),
        })).AssertOk().Body!;
        var blocked = (await Host.PostAsync("/key/block", new JsonObject { ["key"] = key })).AssertOk().Body!;
        var listed = (await Host.GetAsync("/key/list?key_alias=svc-renamed&return_full_object=true")).AssertOk().Body!;
        var unblocked = (await Host.PostAsync("/key/unblock", new JsonObject { ["key"] = key })).AssertOk().Body!;
        var all = (await Host.GetAsync("/key/list?size=100")).AssertOk().Body!;

        Assert.Equal("svc-renamed", updated["key_alias"]!.GetValue<string>());
        Assert.Equal(["chat", "other"], updated["models"]!.AsArray().Select(m => m!.GetValue<string>()));
        Assert.Equal(3, updated["max_budget"]!.GetValue<double>());
        Assert.Equal(7, updated["rpm_limit"]!.GetValue<long>());
        Assert.Equal("prod", updated["metadata"]!["env"]!.GetValue<string>());
        Assert.True(blocked["blocked"]!.GetValue<bool>());
        Assert.False(unblocked["blocked"]!.GetValue<bool>());
        var listedKey = Assert.Single(listed["keys"]!.AsArray());
        Assert.True(listedKey!["blocked"]!.GetValue<bool>());
        Assert.Equal(1, listed["total_count"]!.GetValue<int>());
        Assert.Equal(2, all["total_count"]!.GetValue<int>());
        Assert.All(all["keys"]!.AsArray(), token => Assert.Equal(64, token!.GetValue<string>().Length));

        var regenerated = (await Host.PostAsync("/key/regenerate", new JsonObject { ["key"] = key, ["max_budget"] = 4 })).AssertOk().Body!;
        var newKey = regenerated["key"]!.GetValue<string>();
        Assert.NotEqual(key, newKey);
        Assert.Equal("svc-renamed", regenerated["key_alias"]!.GetValue<string>());
        Assert.Equal(4, regenerated["max_budget"]!.GetValue<double>());
        (await Host.GetAsync($"/key/info?key={key}")).AssertError(HttpStatusCode.BadRequest);
        (await Host.GetAsync($"/key/info?key={newKey}")).AssertOk();
        var viaPath = (await Host.PostAsync($"/key/{newKey}/regenerate", "")).AssertOk().Body!;
        Assert.Equal("svc-renamed", viaPath["key_alias"]!.GetValue<string>());

        var deleted = (await Host.PostAsync("/key/delete", new JsonObject { ["keys"] = new JsonArray(other), ["key_aliases"] = new JsonArray("svc-renamed") })).AssertOk().Body!;
        Assert.Equal(2, deleted["deleted_keys"]!.AsArray().Count);
        Assert.Equal(0, (await Host.GetAsync("/key/list")).AssertOk().Body!["total_count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/key/generate", """{"models":["no-such-model"]}""", "models")]
    [InlineData("/key/generate", """{"max_budget":-1}""", "max_budget")]
    [InlineData("/key/generate", """{"soft_budget":"lots"}""", "soft_budget")]
    [InlineData("/key/generate", """{"budget_duration":"30 days"}""", "budget_duration")]
    [InlineData("/key/generate", """{"duration":"1x"}""", "duration")]
    [InlineData("/key/generate", """{"team_id":"no-such-team"}""", "team_id")]
    [InlineData("/key/generate", """{"rpm_limit":1.5}""", "rpm_limit")]
    [InlineData("/key/generate", """{"tpm_limit":-3}""", "tpm_limit")]
    [InlineData("/key/generate", """{"metadata":[1]}""", "metadata")]
    [InlineData("/key/generate", """{"models":"chat"}""", "models")]
    [InlineData("/key/generate", """{"model_max_budget":{"chat":1}}""", "model_max_budget")]
    [InlineData("/key/generate", """{"key":"not-a-virtual-key"}""", "key")]
    [InlineData("/key/generate", """{"key":"sk-test-master-key-0123456789"}""", "key")]
    [InlineData("/key/generate", """{"key_type":"management"}""", "key_type")]
    [InlineData("/key/generate", "not json", null)]
    [InlineData("/key/generate", "[1,2]", null)]
    [InlineData("/key/update", """{"key":"sk-no-such-key-1234"}""", "key")]
    [InlineData("/key/update", """{"max_budget":1}""", "key")]
    [InlineData("/key/delete", """{"keys":["sk-no-such-key-1234"]}""", "keys")]
    [InlineData("/key/delete", "{}", "keys")]
    [InlineData("/key/regenerate", """{"key":"sk-no-such-key-1234"}""", "key")]
    [InlineData("/key/block", """{"key":"sk-no-such-key-1234"}""", "key")]
    [InlineData("/key/unblock", """{"key":"garbage"}""", "key")]
    [InlineData("/team/new", """{"max_budget":-5}""", "max_budget")]
    [InlineData("/team/new", """{"budget_duration":"soon"}""", "budget_duration")]
    [InlineData("/team/new", """{"members_with_roles":[{"role":"owner","user_id":"x"}]}""", "members_with_roles")]
    [InlineData("/team/update", """{"team_id":"no-such-team"}""", "team_id")]
    [InlineData("/team/delete", """{"team_ids":["no-such-team"]}""", "team_ids")]
    [InlineData("/user/new", """{"user_role":"emperor"}""", "user_role")]
    [InlineData("/user/new", """{"teams":["no-such-team"]}""", "teams")]
    [InlineData("/user/update", """{"user_id":"no-such-user"}""", "user_id")]
    [InlineData("/user/delete", """{"user_ids":["no-such-user"]}""", "user_ids")]
    [InlineData("/customer/new", "{}", "user_id")]
    [InlineData("/customer/update", """{"user_id":"no-such-customer"}""", "user_id")]
    [InlineData("/customer/block", """{"user_ids":["no-such-customer"]}""", "user_ids")]
    public async Task Bad_input_is_a_400_naming_the_field_and_changes_nothing(string path, string body, string? param)
    {
        var reply = await Host.PostAsync(path, body);

        var error = reply.AssertError(HttpStatusCode.BadRequest, "bad_request_error");
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Equal(0, (await Host.GetAsync("/key/list")).AssertOk().Body!["total_count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/key/info?key=garbage")]
    [InlineData("/key/info?key=sk-no-such-key-1234")]
    [InlineData("/key/info")]
    [InlineData("/key/list?page=0")]
    [InlineData("/key/list?size=1000")]
    [InlineData("/team/info?team_id=no-such-team")]
    [InlineData("/user/info?user_id=no-such-user")]
    [InlineData("/customer/info?end_user_id=no-such-customer")]
    [InlineData("/global/spend/keys?limit=0")]
    public async Task Reading_something_that_is_not_there_is_a_400(string path) =>
        (await Host.GetAsync(path)).AssertError(HttpStatusCode.BadRequest, "bad_request_error");

    [Fact]
    public async Task A_virtual_key_reads_its_own_information_and_cannot_manage_keys()
    {
        var key = await Host.GenerateKeyAsync(new JsonObject { ["key_alias"] = "self" });
        var other = await Host.GenerateKeyAsync();

        var own = await Host.GetAsync("/key/info", key);
        var someoneElse = await Host.GetAsync($"/key/info?key={other}", key);
        var generate = await Host.PostAsync("/key/generate", "{}", key);
        var teams = await Host.GetAsync("/team/list", key);
        var spend = await Host.GetAsync("/global/spend", key);
        var noKey = await Host.PostAsync("/key/generate", "{}", key: null);

        Assert.Equal("self", own.AssertOk().Body!["info"]!["key_alias"]!.GetValue<string>());
        someoneElse.AssertError(HttpStatusCode.Forbidden);
        generate.AssertError(HttpStatusCode.Forbidden);
        teams.AssertError(HttpStatusCode.Forbidden);
        spend.AssertError(HttpStatusCode.Forbidden);
        noKey.AssertError(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Every_change_is_audited_with_the_token_never_the_key()
    {
        var key = await Host.GenerateKeyAsync(new JsonObject { ["key_alias"] = "audited" });
        (await Host.PostAsync("/key/update", new JsonObject { ["key"] = key, ["max_budget"] = 1 })).AssertOk();
        (await Host.PostAsync("/key/block", new JsonObject { ["key"] = key })).AssertOk();
        var renewed = (await Host.PostAsync("/key/regenerate", new JsonObject { ["key"] = key })).AssertOk().Body!["key"]!.GetValue<string>();
        using var changedBy = new HttpRequestMessage(HttpMethod.Post, "/key/delete") { Content = new StringContent(new JsonObject { ["keys"] = new JsonArray(renewed) }.ToJsonString(), Encoding.UTF8, "application/json") };
        changedBy.Headers.Authorization = new("Bearer", GatewayHost.MasterKey);
        changedBy.Headers.Add("litellm-changed-by", "alice@example.com");
        using var deleted = await Host.Client.SendAsync(changedBy, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        await using var scope = Host.Services.CreateAsyncScope();
        var log = await scope.ServiceProvider.GetRequiredService<PlatformDbContext>().AuditLog.AsNoTracking()
            .Where(e => e.TableName == "virtual_keys").OrderBy(e => e.UpdatedAt).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["created", "updated", "blocked", "regenerated", "deleted"], log.Select(e => e.Action));
        Assert.Equal("alice@example.com", log[^1].ChangedBy);
        Assert.All(log.Take(4), e => Assert.Equal("master_key", e.ChangedBy));
        Assert.Contains("\"max_budget\":1", log[1].UpdatedValues, StringComparison.Ordinal);
        var everything = string.Join('\n', log.Select(e => $"{e.ObjectId} {e.BeforeValue} {e.UpdatedValues}"));
        Assert.DoesNotContain(key, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(renewed, everything, StringComparison.Ordinal);
    }
}
