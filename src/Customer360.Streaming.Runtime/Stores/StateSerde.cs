namespace Customer360.Streaming.Runtime.Stores;

/// <summary>
/// How a typed store turns its values into the bytes its changelog carries and back. A store keeps the object a
/// processor put and encodes it only when the bytes are needed (at commit, for the changelog), so a key changed by
/// many records between two commits is encoded once.
/// </summary>
public abstract class StateSerde<T> : IStateEncoder
    where T : class
{
    public abstract byte[] Encode(T value);

    /// <exception cref="InvalidDataException">The bytes are not a value of this serde's format.</exception>
    public abstract T Decode(ReadOnlySpan<byte> data);

    byte[] IStateEncoder.Encode(object value) => Encode((T)value);
}

/// <summary>The untyped side of a <see cref="StateSerde{T}"/>, which a store entry keeps to encode its value later.</summary>
public interface IStateEncoder
{
    byte[] Encode(object value);
}
