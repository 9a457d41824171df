using PartnerExchange.Cli.Csv;

namespace PartnerExchange.Cli.Tests;

public sealed class CsvTests
{
    [Fact]
    public async Task Writer_QuotesFieldsThatNeedIt()
    {
        using var text = new StringWriter();

        await new CsvWriter(text).WriteRowAsync(["plain", "a,b", "say \"hi\"", "two\nlines", ""], CancellationToken.None);

        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n", text.ToString());
    }

    [Fact]
    public async Task Reader_ReadsBackWhatTheWriterWrote()
    {
        string[] fields = ["plain", "a,b", "say \"hi\"", "two\nlines", ""];
        using var text = new StringWriter();
        await new CsvWriter(text).WriteRowAsync(fields, CancellationToken.None);
        await new CsvWriter(text).WriteRowAsync(["next"], CancellationToken.None);

        var reader = new CsvReader(new StringReader(text.ToString()));
        var first = await reader.ReadAsync(CancellationToken.None);
        var second = await reader.ReadAsync(CancellationToken.None);
        var end = await reader.ReadAsync(CancellationToken.None);

        Assert.Equal(fields, first!.Fields);
        Assert.Equal(1, first.Line);
        Assert.Equal(["next"], second!.Fields);
        Assert.Equal(3, second.Line);
        Assert.Null(end);
    }

    [Theory]
    [InlineData("\"never closed")]
    [InlineData("ab\"c")]
    [InlineData("\"quoted\"tail")]
    public async Task Reader_Rejects_MalformedQuoting(string line) =>
        await Assert.ThrowsAsync<FormatException>(() => new CsvReader(new StringReader(line)).ReadAsync(CancellationToken.None));
}
