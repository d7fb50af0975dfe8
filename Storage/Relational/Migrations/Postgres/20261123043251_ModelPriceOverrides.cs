using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Storage.Relational.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ModelPriceOverrides : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "model_price_overrides",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    project_id = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    model_name = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    match_pattern = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    prices_json = table.Column<string>(type: "character varying(4096)", maxLength: 4096, nullable: false),
                    start_date = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_model_price_overrides", x => x.id);
                    table.ForeignKey(
                        name: "FK_model_price_overrides_projects_project_id",
                        column: x => x.project_id,
                        principalTable: "projects",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_model_price_overrides_project_id",
                table: "model_price_overrides",
                column: "project_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "model_price_overrides");
        }
    }
}
