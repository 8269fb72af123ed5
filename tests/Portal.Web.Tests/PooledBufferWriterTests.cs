using System.Text;
using System.Text.Json;
using Portal.Web.Api;

namespace Portal.Web.Tests;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void GrowsPastItsFirstBufferAndKeepsEveryByteInOrder()
    {
        using var pooled = new PooledBufferWriter(16);
        using (var w = new Utf8JsonWriter(pooled))
        {
            w.WriteStartArray();
            for (int i = 0; i < 5000; i++) w.WriteStringValue("value-" + i);
            w.WriteEndArray();
        }
        var text = Encoding.UTF8.GetString(pooled.WrittenMemory.Span);
        var values = JsonDocument.Parse(text).RootElement.EnumerateArray().Select(v => v.GetString()).ToList();
        Assert.Equal(5000, values.Count);
        Assert.Equal("value-0", values[0]);
        Assert.Equal("value-4999", values[^1]);
    }

    [Fact]
    public void RefusesToAdvancePastWhatItHandedOut()
    {
        using var pooled = new PooledBufferWriter(16);
        int handedOut = pooled.GetSpan(8).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => pooled.Advance(handedOut + 1));
        pooled.Advance(3);
        Assert.Equal(3, pooled.WrittenMemory.Length);
    }
}
