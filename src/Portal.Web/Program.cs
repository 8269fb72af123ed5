using Portal.Web.Hosting;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = ContentRoot.Locate(args),
});
builder.AddPortal();

var app = builder.Build();
app.MapPortal();
app.Run();

/// <summary>The web host's entry point; public so functional tests can host it.</summary>
public partial class Program;
