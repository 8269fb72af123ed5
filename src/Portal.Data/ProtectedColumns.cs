using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Data;

/// <summary>
/// Encryption at rest of the columns that hold secrets (<see cref="ConfigRevision.Yaml"/>,
/// <see cref="TeamReceiver.SettingsJson"/>) with ASP.NET Core Data Protection. A protected value is
/// stored as <see cref="Prefix"/> followed by the protector's output; a value without the prefix is
/// plain text written before encryption was enabled and reads as it is (it is encrypted when its value next changes).
/// A context built without <see cref="UseProtectedColumns"/> (design time, `dotnet ef`) has the same
/// model and migrations, only without the conversion.
/// </summary>
public static class ProtectedColumns
{
    /// <summary>Marks a stored value as protected; version 1 of the format.</summary>
    public const string Prefix = "dp1:";

    /// <summary>The Data Protection purpose string: values protected under another purpose do not unprotect.</summary>
    public const string Purpose = "Portal.Data.ProtectedColumns.v1";

    /// <summary>
    /// Protects the secret-bearing columns with keys from <paramref name="provider"/>. Contexts with
    /// different providers get different models; contexts sharing one provider share one model.
    /// </summary>
    public static DbContextOptionsBuilder UseProtectedColumns(this DbContextOptionsBuilder options, IDataProtectionProvider provider)
    {
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new ProtectedColumnsExtension(provider));
        return options.ReplaceService<IModelCacheKeyFactory, ProtectedColumnsModelCacheKeyFactory>();
    }

    /// <summary>Applies the protecting converter to <paramref name="property"/> when <paramref name="context"/> was configured with a provider.</summary>
    internal static void Protect(DbContext context, PropertyBuilder<string> property)
    {
        if (ProviderOf(context) is { } provider) property.HasConversion(new ProtectingConverter(provider.CreateProtector(Purpose)));
    }

    internal static IDataProtectionProvider? ProviderOf(DbContext context) =>
        context.GetService<IDbContextOptions>().FindExtension<ProtectedColumnsExtension>()?.Provider;

    /// <summary>Protects on write; unprotects prefixed values on read and passes others (legacy plain text) through.</summary>
    private sealed class ProtectingConverter(IDataProtector protector) : ValueConverter<string, string>(
        v => Prefix + protector.Protect(v),
        v => v.StartsWith(Prefix, StringComparison.Ordinal) ? protector.Unprotect(v.Substring(Prefix.Length)) : v);
}

/// <summary>Carries the Data Protection provider into the context; it needs no internal services of its own.</summary>
internal sealed class ProtectedColumnsExtension(IDataProtectionProvider provider) : IDbContextOptionsExtension
{
    public IDataProtectionProvider Provider { get; } = provider;
    public DbContextOptionsExtensionInfo Info => new ExtensionInfo(this);
    public void ApplyServices(IServiceCollection services) { }
    public void Validate(IDbContextOptions options) { }

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;
        public override string LogFragment => "ProtectedColumns ";
        // The provider only changes the model (see the cache key factory), not EF's internal services.
        public override int GetServiceProviderHashCode() => 0;
        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;
        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo) => debugInfo["ProtectedColumns"] = "1";
    }
}

/// <summary>Keys the cached model by the Data Protection provider too, since the converters hold its protector.</summary>
internal sealed class ProtectedColumnsModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) =>
        (context.GetType(), designTime, (object?)ProtectedColumns.ProviderOf(context));
}
