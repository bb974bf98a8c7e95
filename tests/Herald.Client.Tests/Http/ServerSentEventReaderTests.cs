using System.Text;
using Herald.Client.Http;

namespace Herald.Client.Tests.Http;

public sealed class ServerSentEventReaderTests
{
    private static ServerSentEventReader Reader(string text) => new(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

    [Fact]
    public async Task Read_SkipsCommentsAndRetry_JoinsDataLines_AndKeepsTheLastId()
    {
        var reader = Reader("retry: 2000\n\n: keep-alive\n\nid: 7\ndata: {\"a\":\ndata: 1}\n\r\ndata:second\n\nid: 9\r\ndata: third\r\n\r\n");

        Assert.Equal(new ServerSentEvent("7", "{\"a\":\n1}"), await reader.ReadAsync());
        Assert.Equal(TimeSpan.FromSeconds(2), reader.RetryHint);
        Assert.Equal(new ServerSentEvent("7", "second"), await reader.ReadAsync());
        Assert.Equal(new ServerSentEvent("9", "third"), await reader.ReadAsync());
        Assert.Null(await reader.ReadAsync());
    }

    [Fact]
    public async Task Read_AnEventCutOffBeforeItsBlankLine_IsNotDispatched()
    {
        var reader = Reader("id: 1\ndata: whole\n\nid: 2\ndata: cut");

        Assert.Equal("whole", (await reader.ReadAsync())?.Data);
        Assert.Null(await reader.ReadAsync());
    }
}
