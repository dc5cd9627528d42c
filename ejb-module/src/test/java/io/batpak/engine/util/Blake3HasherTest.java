package io.batpak.engine.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.commons.codec.digest.Blake3;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The hand-written BLAKE3 must equal the reference: the official test vectors
 * (BLAKE3-team/BLAKE3 test_vectors/test_vectors.json, "hash", first 32 bytes; input byte i is i mod 251)
 * and commons-codec's implementation on random inputs, including every chunk and tree boundary.
 */
class Blake3HasherTest {

    @ParameterizedTest(name = "official vector, input length {0}")
    @CsvSource({
        "0, af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        "1, 2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213",
        "1023, 10108970eeda3eb932baac1428c7a2163b0e924c9a9e25b35bba72b28f70bd11",
        "1024, 42214739f095a406f3fc83deb889744ac00df831c10daa55189b5d121c855af7",
        "1025, d00278ae47eb27b34faecf67b4fe263f82d5412916c1ffd97c8cb7fb814b8444",
        "2048, e776b6028c7cd22a4d0ba182a8bf62205d2ef576467e838ed6f2529b85fba24a",
        "2049, 5f4d72f40d7a5f82b15ca2b2e44b1de3c2ef86c426c95c1af0b6879522563030",
        "3072, b98cb0ff3623be03326b373de6b9095218513e64f1ee2edd2525c7ad1e5cffd2",
        "3073, 7124b49501012f81cc7f11ca069ec9226cecb8a2c850cfe644e327d22d3e1cd3",
        "4096, 015094013f57a5277b59d8475c0501042c0b642e531b0a1c8f58d2163229e969",
        "4097, 9b4052b38f1c5fc8b1f9ff7ac7b27cd242487b3d890d15c96a1c25b8aa0fb995",
        "5121, 628bd2cb2004694adaab7bbd778a25df25c47b9d4155a55f8fbd79f2fe154cff",
        "7169, a003fc7a51754a9b3c7fae0367ab3d782dccf28855a03d435f8cfe74605e7817",
        "8193, bab6c09cb8ce8cf459261398d2e7aef35700bf488116ceb94a36d0f5f1b7bc3b",
        "16384, f875d6646de28985646f34ee13be9a576fd515f76b5b0a26bb324735041ddde4",
        "31744, 62b6960e1a44bcc1eb1a611a8d6235b6b4b78f32e7abc4fb4c6cdcce94895c47",
        "102400, bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085"
    })
    void matchesTheOfficialTestVectors(int length, String expectedHex) {
        byte[] input = new byte[length];
        for (int i = 0; i < length; i++) {
            input[i] = (byte) (i % 251);
        }
        assertEquals(expectedHex, HexFormat.of().formatHex(new Blake3Hasher().hash(input)),
                "BLAKE3 of the official " + length + "-byte input differs: see Blake3Hasher.hash / compress");
    }

    @Property(tries = 300)
    void equalsCommonsCodecOnRandomInputs(@ForAll @Size(max = 9000) byte[] input, @ForAll @IntRange(max = 7) int offset) {
        byte[] framed = new byte[input.length + offset + 3];
        System.arraycopy(input, 0, framed, offset, input.length);
        byte[] ours = new byte[32];
        new Blake3Hasher().hash(framed, offset, input.length, ours, 0);
        byte[] reference = Blake3.hash(input);
        assertEquals(HexFormat.of().formatHex(reference), HexFormat.of().formatHex(ours),
                "BLAKE3 of a " + input.length + "-byte input at offset " + offset + " differs from commons-codec");
    }

    @Property(tries = 50)
    void oneInstanceHashesManyInputsIndependently(@ForAll @Size(min = 2, max = 5) java.util.List<@Size(max = 3000) byte[]> inputs) {
        Blake3Hasher reused = new Blake3Hasher();
        for (byte[] input : inputs) {
            assertEquals(HexFormat.of().formatHex(Blake3.hash(input)), HexFormat.of().formatHex(reused.hash(input)),
                    "a reused Blake3Hasher kept state from an earlier input");
        }
    }
}
