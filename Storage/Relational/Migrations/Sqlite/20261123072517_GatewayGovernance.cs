using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Storage.Relational.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class GatewayGovernance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_log",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    changed_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    changed_by_api_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    table_name = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    object_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    before_value = table.Column<string>(type: "text", maxLength: 256, nullable: true),
                    updated_values = table.Column<string>(type: "text", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_audit_log", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "budget_states",
                columns: table => new
                {
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    budget_reset_at = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_budget_states", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "daily_spend",
                columns: table => new
                {
                    date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    api_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    team_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    end_user = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    model = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    prompt_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    completion_tokens = table.Column<long>(type: "INTEGER", nullable: false),
                    api_requests = table.Column<long>(type: "INTEGER", nullable: false),
                    failed_requests = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_daily_spend", x => new { x.date, x.api_key, x.team_id, x.user_id, x.end_user, x.model });
                });

            migrationBuilder.CreateTable(
                name: "deprecated_virtual_keys",
                columns: table => new
                {
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    active_token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    revoke_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_deprecated_virtual_keys", x => x.token);
                });

            migrationBuilder.CreateTable(
                name: "end_users",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    alias = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    blocked = table.Column<bool>(type: "INTEGER", nullable: false),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    max_budget = table.Column<double>(type: "REAL", nullable: true),
                    budget_duration = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    budget_reset_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    spend_set_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    tpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    rpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    max_parallel_requests = table.Column<int>(type: "INTEGER", nullable: true),
                    metadata = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_end_users", x => x.user_id);
                });

            migrationBuilder.CreateTable(
                name: "internal_users",
                columns: table => new
                {
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_email = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    user_alias = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    user_role = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    models = table.Column<string>(type: "text", nullable: false),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    max_budget = table.Column<double>(type: "REAL", nullable: true),
                    budget_duration = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    budget_reset_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    spend_set_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    tpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    rpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    max_parallel_requests = table.Column<int>(type: "INTEGER", nullable: true),
                    metadata = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_internal_users", x => x.user_id);
                });

            migrationBuilder.CreateTable(
                name: "spend_flush_batches",
                columns: table => new
                {
                    batch_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    flushed_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_spend_flush_batches", x => x.batch_id);
                });

            migrationBuilder.CreateTable(
                name: "teams",
                columns: table => new
                {
                    team_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    team_alias = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    models = table.Column<string>(type: "text", nullable: false),
                    blocked = table.Column<bool>(type: "INTEGER", nullable: false),
                    tags = table.Column<string>(type: "text", nullable: false),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    max_budget = table.Column<double>(type: "REAL", nullable: true),
                    budget_duration = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    budget_reset_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    spend_set_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    tpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    rpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    max_parallel_requests = table.Column<int>(type: "INTEGER", nullable: true),
                    metadata = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_teams", x => x.team_id);
                });

            migrationBuilder.CreateTable(
                name: "team_memberships",
                columns: table => new
                {
                    team_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    role = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_team_memberships", x => new { x.team_id, x.user_id });
                    table.ForeignKey(
                        name: "FK_team_memberships_internal_users_user_id",
                        column: x => x.user_id,
                        principalTable: "internal_users",
                        principalColumn: "user_id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_team_memberships_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "team_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "virtual_keys",
                columns: table => new
                {
                    token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    key_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    key_alias = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    models = table.Column<string>(type: "text", nullable: false),
                    soft_budget = table.Column<double>(type: "REAL", nullable: true),
                    expires = table.Column<DateTime>(type: "TEXT", nullable: true),
                    blocked = table.Column<bool>(type: "INTEGER", nullable: false),
                    team_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    user_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    tags = table.Column<string>(type: "text", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    updated_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    spend = table.Column<double>(type: "REAL", nullable: false),
                    max_budget = table.Column<double>(type: "REAL", nullable: true),
                    budget_duration = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    budget_reset_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    spend_set_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    tpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    rpm_limit = table.Column<long>(type: "INTEGER", nullable: true),
                    max_parallel_requests = table.Column<int>(type: "INTEGER", nullable: true),
                    metadata = table.Column<string>(type: "text", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    updated_at = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_virtual_keys", x => x.token);
                    table.ForeignKey(
                        name: "FK_virtual_keys_internal_users_user_id",
                        column: x => x.user_id,
                        principalTable: "internal_users",
                        principalColumn: "user_id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_virtual_keys_teams_team_id",
                        column: x => x.team_id,
                        principalTable: "teams",
                        principalColumn: "team_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_table_name_object_id",
                table: "audit_log",
                columns: new[] { "table_name", "object_id" });

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_updated_at",
                table: "audit_log",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "IX_daily_spend_team_id_date",
                table: "daily_spend",
                columns: new[] { "team_id", "date" });

            migrationBuilder.CreateIndex(
                name: "IX_daily_spend_user_id_date",
                table: "daily_spend",
                columns: new[] { "user_id", "date" });

            migrationBuilder.CreateIndex(
                name: "IX_deprecated_virtual_keys_active_token",
                table: "deprecated_virtual_keys",
                column: "active_token");

            migrationBuilder.CreateIndex(
                name: "IX_internal_users_user_email",
                table: "internal_users",
                column: "user_email");

            migrationBuilder.CreateIndex(
                name: "IX_spend_flush_batches_flushed_at",
                table: "spend_flush_batches",
                column: "flushed_at");

            migrationBuilder.CreateIndex(
                name: "IX_team_memberships_user_id",
                table: "team_memberships",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "IX_virtual_keys_key_alias",
                table: "virtual_keys",
                column: "key_alias",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_virtual_keys_team_id",
                table: "virtual_keys",
                column: "team_id");

            migrationBuilder.CreateIndex(
                name: "IX_virtual_keys_user_id",
                table: "virtual_keys",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_log");

            migrationBuilder.DropTable(
                name: "budget_states");

            migrationBuilder.DropTable(
                name: "daily_spend");

            migrationBuilder.DropTable(
                name: "deprecated_virtual_keys");

            migrationBuilder.DropTable(
                name: "end_users");

            migrationBuilder.DropTable(
                name: "spend_flush_batches");

            migrationBuilder.DropTable(
                name: "team_memberships");

            migrationBuilder.DropTable(
                name: "virtual_keys");

            migrationBuilder.DropTable(
                name: "internal_users");

            migrationBuilder.DropTable(
                name: "teams");
        }
    }
}
