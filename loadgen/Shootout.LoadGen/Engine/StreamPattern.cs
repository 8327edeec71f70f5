namespace Shootout.LoadGen.Engine;

/// <summary>
/// The bytes a flood sends: a sequence with period <see cref="Period"/>, shifted per connection, so the echo
/// of any stretch of the stream can be checked wherever it starts (a lost, repeated or crossed byte shows)
/// and every write sends straight from one shared, never-written array.
/// </summary>
internal sealed class StreamPattern
{
    /// <summary>Prime, so neither power-of-two chunk sizes nor the shift line up with it.</summary>
    public const int Period = 251;

    private readonly byte[] _bytes;

    public StreamPattern(int longestRun)
    {
        _bytes = new byte[longestRun + Period];
        for (int i = 0; i < _bytes.Length; i++) _bytes[i] = (byte)(i % Period);
    }

    /// <summary>The <paramref name="length"/> bytes at <paramref name="offset"/> of connection <paramref name="connection"/>'s stream.</summary>
    public ReadOnlyMemory<byte> At(int connection, long offset, int length) =>
        _bytes.AsMemory(Start(connection, offset), length);

    public bool Matches(int connection, long offset, ReadOnlySpan<byte> received) =>
        received.SequenceEqual(_bytes.AsSpan(Start(connection, offset), received.Length));

    private static int Start(int connection, long offset) => (int)((offset + connection * 97L) % Period);
}
