using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Proxy.Core.Configuration;

namespace Proxy.Core.Reload;

/// <summary>Which configuration keys differ between two <see cref="ProxyOptions"/>: the reload event names them (never their values).</summary>
internal static class OptionsDifference
{
    private const string Root = "Proxy";

    // Only what configuration can set: a computed property (EffectiveMaxConcurrency) is no key.
    private static readonly JsonSerializerOptions Settable = new()
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Kind == JsonTypeInfoKind.Object)
                    {
                        foreach (var property in info.Properties.Where(p => p.Set is null).ToList())
                        {
                            info.Properties.Remove(property);
                        }
                    }
                },
            },
        },
    };

    public static IReadOnlyList<string> ChangedKeys(ProxyOptions before, ProxyOptions after)
    {
        Dictionary<string, string> left, right;
        try
        {
            left = Flatten(JsonSerializer.SerializeToElement(before, Settable));
            right = Flatten(JsonSerializer.SerializeToElement(after, Settable));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException or JsonException)
        {
            // A setting of a type JSON cannot show: say that something changed rather than nothing.
            return [Root];
        }

        return [.. left.Keys.Union(right.Keys, StringComparer.Ordinal)
            .Where(key => !left.TryGetValue(key, out var l) || !right.TryGetValue(key, out var r) || l != r)
            .Order(StringComparer.Ordinal)];
    }

    private static Dictionary<string, string> Flatten(JsonElement element)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        Flatten(element, Root, values);
        return values;
    }

    private static void Flatten(JsonElement element, string key, Dictionary<string, string> values)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Flatten(property.Value, $"{key}:{property.Name}", values);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{key}:{index++}", values);
                }

                // An emptied list must differ from a list that was empty all along only by its items.
                values[$"{key}:Count"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
                break;
            default:
                values[key] = element.GetRawText();
                break;
        }
    }
}
