using System.CommandLine;
using System.Globalization;

namespace Rag.Host.Cli;

/// <summary>Typed options with range and file checks; every failed check is a usage error (exit 2, one line).</summary>
internal static class CliOptions
{
    /// <summary>The option's value, or the default when it does not convert (the parser reports that error itself).</summary>
    public static T? Value<T>(System.CommandLine.Parsing.OptionResult result)
    {
        try
        {
            return result.GetValueOrDefault<T>();
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>An integer option with a default shown in help, checked against [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<int> Int(string name, string description, int defaultValue, int min, int max = int.MaxValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            var v = Value<int>(r);
            if (v < min || v > max)
            {
                r.AddError(max == int.MaxValue ? $"{name} must be at least {min}, not {v}" : $"{name} must be between {min} and {max}, not {v}");
            }
        });
        return option;
    }

    /// <summary>An optional integer option (its default comes from configuration), checked like <see cref="Int"/>.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max = int.MaxValue)
    {
        var option = new Option<int?>(name) { Description = description };
        option.Validators.Add(r =>
        {
            if (Value<int?>(r) is int v && (v < min || v > max))
            {
                r.AddError(max == int.MaxValue ? $"{name} must be at least {min}, not {v}" : $"{name} must be between {min} and {max}, not {v}");
            }
        });
        return option;
    }

    /// <summary>A float option with a default, checked against [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Option<float> Float(string name, string description, float defaultValue, float min, float max)
    {
        var option = new Option<float>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            var v = Value<float>(r);
            if (!float.IsFinite(v) || v < min || v > max)
            {
                r.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}, not {v}"));
            }
        });
        return option;
    }

    /// <summary>A required option naming a file that must exist.</summary>
    public static Option<string> ExistingFile(string name, string description, bool required = true)
    {
        var option = new Option<string>(name) { Description = description, Required = required };
        option.Validators.Add(r =>
        {
            var v = Value<string>(r);
            if (v is not null && !File.Exists(v))
            {
                r.AddError(Directory.Exists(v) ? $"{name}: '{v}' is a folder, not a file" : $"{name}: file not found: {v}");
            }
        });
        return option;
    }

    /// <summary>An optional option naming a file that must exist when given (its default comes from configuration).</summary>
    public static Option<string?> OptionalExistingFile(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(r =>
        {
            var v = Value<string?>(r);
            if (v is not null && !File.Exists(v))
            {
                r.AddError(Directory.Exists(v) ? $"{name}: '{v}' is a folder, not a file" : $"{name}: file not found: {v}");
            }
        });
        return option;
    }

    /// <summary>A required non-empty string option.</summary>
    public static Option<string> RequiredText(string name, string description)
    {
        var option = new Option<string>(name) { Description = description, Required = true };
        option.Validators.Add(r =>
        {
            if (string.IsNullOrEmpty(Value<string>(r)))
            {
                r.AddError($"{name} must not be empty");
            }
        });
        return option;
    }
}
