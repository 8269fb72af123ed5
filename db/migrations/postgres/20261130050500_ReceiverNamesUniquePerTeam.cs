using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReceiverNamesUniquePerTeam : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TeamReceivers_TeamId",
                table: "TeamReceivers");

            migrationBuilder.DropIndex(
                name: "IX_TeamReceivers_TenantId_Name",
                table: "TeamReceivers");

            migrationBuilder.CreateIndex(
                name: "IX_TeamReceivers_TeamId_Name",
                table: "TeamReceivers",
                columns: new[] { "TeamId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_TeamReceivers_TenantId",
                table: "TeamReceivers",
                column: "TenantId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_TeamReceivers_TeamId_Name",
                table: "TeamReceivers");

            migrationBuilder.DropIndex(
                name: "IX_TeamReceivers_TenantId",
                table: "TeamReceivers");

            migrationBuilder.CreateIndex(
                name: "IX_TeamReceivers_TeamId",
                table: "TeamReceivers",
                column: "TeamId");

            migrationBuilder.CreateIndex(
                name: "IX_TeamReceivers_TenantId_Name",
                table: "TeamReceivers",
                columns: new[] { "TenantId", "Name" },
                unique: true);
        }
    }
}
