using Relucent.Samples.Photographs;

namespace Relucent.Onnx.Tests.Pretrained;

/// <summary>samples/Photographs' command line: defaults that need no argument, and every usage error named.</summary>
public class PhotographsOptionsTests
{
    [Fact]
    public void No_argument_takes_the_defaults()
    {
        PhotographsOptions options = Parse(out string error);
        Assert.Equal(("photographs-output", 32, null, false), (options.Output, options.Steps, options.ReadmeImage, options.Help));
        Assert.Empty(error);
    }

    [Fact]
    public void Every_option_is_read()
    {
        PhotographsOptions options = Parse(out _, "--output", "out", "--steps", "8", "--readme-image", "docs/images/x.png", "--help");
        Assert.Equal(("out", 8, "docs/images/x.png", true), (options.Output, options.Steps, options.ReadmeImage, options.Help));
    }

    [Theory]
    [InlineData("unknown option '--stpes'", "--stpes", "8")]
    [InlineData("--output needs a value", "--output")]
    [InlineData("--steps takes a positive whole number, not '0'", "--steps", "0")]
    [InlineData("--steps takes a positive whole number, not '-3'", "--steps", "-3")]
    [InlineData("--steps takes a positive whole number, not 'many'", "--steps", "many")]
    public void A_usage_error_is_named_and_nothing_is_returned(string expected, params string[] args)
    {
        var error = new StringWriter();
        Assert.Null(PhotographsOptions.Parse(args, error));
        Assert.Contains(expected, error.ToString());
    }

    private static PhotographsOptions Parse(out string error, params string[] args)
    {
        var writer = new StringWriter();
        PhotographsOptions options = PhotographsOptions.Parse(args, writer) ?? throw new Xunit.Sdk.XunitException(writer.ToString());
        error = writer.ToString();
        return options;
    }
}
