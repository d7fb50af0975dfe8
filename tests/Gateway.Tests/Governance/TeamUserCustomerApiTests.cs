using System.Net;
using System.Text.Json.Nodes;

namespace Gateway.Tests.Governance;

/// <summary>LiteLLM's <c>/team/*</c>, <c>/user/*</c>, <c>/customer/*</c> and <c>/model/info</c> routes on one gateway with the embedded store.</summary>
public sealed class TeamUserCustomerApiTests : ManagementApiTest
{
    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Teams_round_trip_every_field_and_deleting_a_team_deletes_its_keys()
    {
        (await Host.PostAsync("/user/new", """{"user_id":"existing","user_email":"existing@example.com","auto_create_key":false}""")).AssertOk();

        var created = (await Host.PostAsync("/team/new", """
            {"team_id":"research","team_alias":"Research","models":["chat","other"],"max_budget":50,"budget_duration":"1mo",
             "tpm_limit":5000,"rpm_limit":100,"max_parallel_requests":4,"metadata":{"cost_center":"42"},"tags":["r"],"blocked":false,
             "members_with_roles":[{"role":"admin","user_id":"existing"},{"role":"user","user_email":"new@example.com"}]}
            """)).AssertOk().Body!;
        var key = await Host.GenerateKeyAsync(new JsonObject { ["team_id"] = "research" });
        var info = (await Host.GetAsync("/team/info?team_id=research")).AssertOk().Body!;
        var updated = (await Host.PostAsync("/team/update", """{"team_id":"research","team_alias":"R&D","max_budget":60,"models":["chat"]}""")).AssertOk().Body!;
        var blocked = (await Host.PostAsync("/team/block", """{"team_id":"research"}""")).AssertOk().Body!;
        var listed = (await Host.GetAsync("/team/list")).AssertOk().Body!;

        foreach (var team in new[] { created, info["team_info"]! })
        {
            Assert.Equal("research", team["team_id"]!.GetValue<string>());
            Assert.Equal("Research", team["team_alias"]!.GetValue<string>());
            Assert.Equal(["chat", "other"], Strings(team["models"]));
            Assert.Equal(50, team["max_budget"]!.GetValue<double>());
            Assert.Equal("1mo", team["budget_duration"]!.GetValue<string>());
            Assert.NotNull(team["budget_reset_at"]);
            Assert.Equal(5000, team["tpm_limit"]!.GetValue<long>());
            Assert.Equal(100, team["rpm_limit"]!.GetValue<long>());
            Assert.Equal(4, team["max_parallel_requests"]!.GetValue<int>());
            Assert.Equal("42", team["metadata"]!["cost_center"]!.GetValue<string>());
            Assert.Equal(["r"], Strings(team["tags"]));
            Assert.False(team["blocked"]!.GetValue<bool>());
            Assert.Equal(0, team["spend"]!.GetValue<double>());
            var members = team["members_with_roles"]!.AsArray();
            Assert.Equal(2, members.Count);
            Assert.Contains(members, m => m!["user_id"]!.GetValue<string>() == "existing" && m["role"]!.GetValue<string>() == "admin");
            Assert.Contains(members, m => m!["user_email"]?.GetValue<string>() == "new@example.com" && m["role"]!.GetValue<string>() == "user");
        }

        Assert.Single(info["keys"]!.AsArray());
        Assert.Equal(2, info["team_memberships"]!.AsArray().Count);
        Assert.Equal("research", updated["team_id"]!.GetValue<string>());
        Assert.Equal("R&D", updated["data"]!["team_alias"]!.GetValue<string>());
        Assert.Equal(60, updated["data"]!["max_budget"]!.GetValue<double>());
        Assert.True(blocked["blocked"]!.GetValue<bool>());
        Assert.Equal("research", Assert.Single(listed.AsArray())!["team_id"]!.GetValue<string>());

        var deleted = (await Host.PostAsync("/team/delete", """{"team_ids":["research"]}""")).AssertOk().Body!;
        Assert.Equal(["research"], Strings(deleted["deleted_teams"]));
        (await Host.GetAsync($"/key/info?key={key}")).AssertError(HttpStatusCode.BadRequest);
        Assert.Empty((await Host.GetAsync("/team/list")).AssertOk().Body!.AsArray());
    }

    [Fact]
    public async Task A_new_user_gets_a_key_and_teams_and_deleting_the_user_deletes_its_keys()
    {
        (await Host.PostAsync("/team/new", """{"team_id":"ops"}""")).AssertOk();

        var created = (await Host.PostAsync("/user/new", """
            {"user_id":"bob","user_email":"bob@example.com","user_alias":"Bob","user_role":"internal_user","teams":["ops"],
             "models":["chat"],"max_budget":5,"budget_duration":"7d","tpm_limit":100,"rpm_limit":10,"max_parallel_requests":2,
             "metadata":{"dept":"ops"},"key_alias":"bob-laptop"}
            """)).AssertOk().Body!;
        var key = created["key"]!.GetValue<string>();
        var info = (await Host.GetAsync("/user/info?user_id=bob")).AssertOk().Body!;
        var ownInfo = (await Host.GetAsync("/user/info", key)).AssertOk().Body!;
        var updated = (await Host.PostAsync("/user/update", """{"user_email":"bob@example.com","max_budget":8,"user_role":"internal_user_viewer"}""")).AssertOk().Body!;
        var listed = (await Host.GetAsync("/user/list?page=1&page_size=10")).AssertOk().Body!;
        var spendUsers = (await Host.GetAsync("/spend/users?user_id=bob")).AssertOk().Body!;

        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.Equal("bob-laptop", created["key_alias"]!.GetValue<string>());
        foreach (var user in new[] { created, info["user_info"]! })
        {
            Assert.Equal("bob", user["user_id"]!.GetValue<string>());
            Assert.Equal("bob@example.com", user["user_email"]!.GetValue<string>());
            Assert.Equal("Bob", user["user_alias"]!.GetValue<string>());
            Assert.Equal("internal_user", user["user_role"]!.GetValue<string>());
            Assert.Equal(["ops"], Strings(user["teams"]));
            Assert.Equal(["chat"], Strings(user["models"]));
            Assert.Equal(5, user["max_budget"]!.GetValue<double>());
            Assert.Equal("7d", user["budget_duration"]!.GetValue<string>());
            Assert.Equal(100, user["tpm_limit"]!.GetValue<long>());
            Assert.Equal(10, user["rpm_limit"]!.GetValue<long>());
            Assert.Equal(2, user["max_parallel_requests"]!.GetValue<int>());
            Assert.Equal("ops", user["metadata"]!["dept"]!.GetValue<string>());
        }

        Assert.Equal("bob", Assert.Single(info["keys"]!.AsArray())!["user_id"]!.GetValue<string>());
        Assert.Equal("ops", Assert.Single(info["teams"]!.AsArray())!["team_id"]!.GetValue<string>());
        Assert.Equal("bob", ownInfo["user_id"]!.GetValue<string>());
        (await Host.GetAsync("/user/info?user_id=someone-else", key)).AssertError(HttpStatusCode.Forbidden);
        Assert.Equal(8, updated["data"]!["max_budget"]!.GetValue<double>());
        Assert.Equal("internal_user_viewer", updated["data"]!["user_role"]!.GetValue<string>());
        Assert.Equal(1, listed["total"]!.GetValue<int>());
        Assert.Equal("bob", Assert.Single(spendUsers.AsArray())!["user_id"]!.GetValue<string>());

        var deleted = (await Host.PostAsync("/user/delete", """{"user_ids":["bob"]}""")).AssertOk().Body!;
        Assert.Equal(["bob"], Strings(deleted["deleted_users"]));
        (await Host.GetAsync($"/key/info?key={key}")).AssertError(HttpStatusCode.BadRequest);
        var team = (await Host.GetAsync("/team/info?team_id=ops")).AssertOk().Body!;
        Assert.Empty(team["team_info"]!["members_with_roles"]!.AsArray());
    }

    [Fact]
    public async Task Customers_round_trip_under_both_prefixes()
    {
        var created = (await Host.PostAsync("/customer/new", """
            {"user_id":"acme","alias":"ACME Corp","max_budget":2.5,"budget_duration":"30d","tpm_limit":10,"rpm_limit":5,"max_parallel_requests":1}
            """)).AssertOk().Body!;
        var info = (await Host.GetAsync("/end_user/info?end_user_id=acme")).AssertOk().Body!;
        var updated = (await Host.PostAsync("/customer/update", """{"user_id":"acme","alias":"ACME","max_budget":3}""")).AssertOk().Body!;
        var blocked = (await Host.PostAsync("/customer/block", """{"user_ids":["acme"]}""")).AssertOk().Body!;
        var listed = (await Host.GetAsync("/customer/list")).AssertOk().Body!;
        var unblocked = (await Host.PostAsync("/end_user/unblock", """{"user_ids":["acme"]}""")).AssertOk().Body!;

        foreach (var customer in new[] { created, info })
        {
            Assert.Equal("acme", customer["user_id"]!.GetValue<string>());
            Assert.Equal("ACME Corp", customer["alias"]!.GetValue<string>());
            Assert.False(customer["blocked"]!.GetValue<bool>());
            Assert.Equal(0, customer["spend"]!.GetValue<double>());
            var budget = customer["litellm_budget_table"]!;
            Assert.Equal(2.5, budget["max_budget"]!.GetValue<double>());
            Assert.Equal("30d", budget["budget_duration"]!.GetValue<string>());
            Assert.Equal(10, budget["tpm_limit"]!.GetValue<long>());
            Assert.Equal(5, budget["rpm_limit"]!.GetValue<long>());
            Assert.Equal(1, budget["max_parallel_requests"]!.GetValue<int>());
        }

        Assert.Equal("ACME", updated["alias"]!.GetValue<string>());
        Assert.Equal(3, updated["litellm_budget_table"]!["max_budget"]!.GetValue<double>());
        Assert.Equal(["acme"], Strings(blocked["blocked_users"]));
        Assert.True(Assert.Single(listed.AsArray())!["blocked"]!.GetValue<bool>());
        Assert.Equal(["acme"], Strings(unblocked["unblocked_users"]));
        Assert.Equal(["acme"], Strings((await Host.PostAsync("/customer/delete", """{"user_ids":["acme"]}""")).AssertOk().Body!["deleted_customers"]));
        Assert.Empty((await Host.GetAsync("/customer/list")).AssertOk().Body!.AsArray());
    }

    [Fact]
    public async Task Model_info_describes_deployments_without_credentials_and_a_key_sees_only_its_models()
    {
        var key = await Host.GenerateKeyAsync(new JsonObject { ["models"] = new JsonArray("chat") });

        var all = (await Host.GetAsync("/model/info")).AssertOk().Body!["data"]!.AsArray();
        var forKey = (await Host.GetAsync("/v1/model/info", key)).AssertOk().Body!["data"]!.AsArray();
        var models = (await Host.GetAsync("/v1/models", key)).AssertOk().Body!["data"]!.AsArray();

        Assert.Equal(["chat", "other", "embed"], all.Select(m => m!["model_name"]!.GetValue<string>()));
        var chat = all[0]!;
        Assert.Equal("mock/chat", chat["litellm_params"]!["model"]!.GetValue<string>());
        Assert.Null(chat["litellm_params"]!["api_key"]);
        Assert.Equal("chat", chat["model_info"]!["id"]!.GetValue<string>());
        Assert.Equal(0.001, chat["model_info"]!["output_cost_per_token"]!.GetValue<double>());
        Assert.Equal(["chat"], forKey.Select(m => m!["model_name"]!.GetValue<string>()));
        Assert.Equal(["chat"], models.Select(m => m!["id"]!.GetValue<string>()));
    }
}
