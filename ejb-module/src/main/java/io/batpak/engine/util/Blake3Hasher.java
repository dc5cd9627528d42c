package io.batpak.engine.util;

/**
 * BLAKE3-256 (unkeyed hash mode, 32-byte output) of a byte range in one call. Its output equals
 * the reference implementation's for every input length: {@code Blake3HasherTest} checks the
 * official test vectors and compares random inputs with commons-codec's {@code Blake3}.
 *
 * <p>Written by hand, against the guide's preference for libraries, because hashing is most of the
 * writer's CPU (docs/BENCHMARKS.md (b)): commons-codec's streaming {@code Blake3} keeps its state in
 * arrays and copies every input into a block buffer, while the engine always hashes whole arrays
 * of a few blocks. Here the compression function works on local variables, message words are read
 * straight from the input, and nothing but the output is allocated per hash. The algorithm follows the BLAKE3
 * specification (chunks of 1,024 bytes, blocks of 64, a binary tree of chaining values).
 *
 * <p>Not thread-safe: one instance per thread.
 */
public final class Blake3Hasher {
    public static final int OUT_BYTES = 32;
    private static final int BLOCK = 64;
    private static final int CHUNK = 1024;
    private static final int CHUNK_START = 1;
    private static final int CHUNK_END = 2;
    private static final int PARENT = 4;
    private static final int ROOT = 8;
    private static final int IV0 = 0x6A09E667;
    private static final int IV1 = 0xBB67AE85;
    private static final int IV2 = 0x3C6EF372;
    private static final int IV3 = 0xA54FF53A;
    private static final int IV4 = 0x510E527F;
    private static final int IV5 = 0x9B05688C;
    private static final int IV6 = 0x1F83D9AB;
    private static final int IV7 = 0x5BE0CD19;

    /** Owned by the calling thread: the chaining value being built (8 words). */
    private final int[] cv = new int[8];
    /** Owned by the calling thread: the current block's message words. */
    private final int[] block = new int[16];
    /** Owned by the calling thread: chaining values of completed subtrees (depth ≤ 54 for 2^64 bytes). */
    private final int[] stack = new int[8 * 54];

    /** Writes BLAKE3-256 of {@code in[off, off+len)} to {@code out[outOff, outOff+32)}. */
    public void hash(byte[] in, int off, int len, byte[] out, int outOff) {
        int end = off + len;
        int pos = off;
        int depth = 0;
        long chunkCounter = 0;
        while (true) {
            int chunkLen = Math.min(CHUNK, end - pos);
            boolean last = pos + chunkLen >= end;
            chunk(in, pos, chunkLen, chunkCounter, last && chunkCounter == 0 ? ROOT : 0);
            if (last) {
                break;
            }
            // Push this chunk's chaining value, merging completed subtrees (one per trailing zero bit).
            System.arraycopy(cv, 0, stack, 8 * depth++, 8);
            for (long total = chunkCounter + 1; (total & 1) == 0; total >>>= 1) {
                parent(stack, 8 * (depth - 2), stack, 8 * (depth - 1), 0);
                System.arraycopy(cv, 0, stack, 8 * (depth - 2), 8);
                depth--;
            }
            chunkCounter++;
            pos += chunkLen;
        }
        // cv holds the last chunk's chaining value; fold the stack into the root.
        for (int i = depth - 1; i >= 0; i--) {
            System.arraycopy(cv, 0, block, 8, 8);
            parentOfBlockTail(stack, 8 * i, i == 0 ? ROOT : 0);
        }
        for (int i = 0; i < 8; i++) {
            int w = cv[i];
            int o = outOff + 4 * i;
            out[o] = (byte) w;
            out[o + 1] = (byte) (w >>> 8);
            out[o + 2] = (byte) (w >>> 16);
            out[o + 3] = (byte) (w >>> 24);
        }
    }

    /** A 32-byte BLAKE3-256 of the whole array. */
    public byte[] hash(byte[] in) {
        byte[] out = new byte[OUT_BYTES];
        hash(in, 0, in.length, out, 0);
        return out;
    }

    /** BLAKE3-256 of {@code in[off, off+len)}, from any thread (one hasher per thread). */
    public static byte[] digest(byte[] in, int off, int len) {
        byte[] out = new byte[OUT_BYTES];
        PER_THREAD.get().hash(in, off, len, out, 0);
        return out;
    }

    /** BLAKE3-256 of the whole array, from any thread. */
    public static byte[] digest(byte[] in) {
        return digest(in, 0, in.length);
    }

    private static final ThreadLocal<Blake3Hasher> PER_THREAD = ThreadLocal.withInitial(Blake3Hasher::new);

    private void chunk(byte[] in, int pos, int chunkLen, long counter, int rootFlag) {
        setIv();
        int blocks = Math.max(1, (chunkLen + BLOCK - 1) / BLOCK);
        for (int b = 0; b < blocks; b++) {
            int blockOff = pos + b * BLOCK;
            int blockLen = Math.min(BLOCK, chunkLen - b * BLOCK);
            int flags = (b == 0 ? CHUNK_START : 0) | (b == blocks - 1 ? CHUNK_END | rootFlag : 0);
            if (blockLen == BLOCK) {
                load(in, blockOff);
            } else {
                loadPartial(in, blockOff, blockLen);
            }
            compress(counter, blockLen, flags);
        }
    }

    private void parent(int[] left, int leftOff, int[] right, int rightOff, int rootFlag) {
        System.arraycopy(right, rightOff, block, 8, 8);
        parentOfBlockTail(left, leftOff, rootFlag);
    }

    /** Parent node of {@code left} and the right child already in block[8..16). */
    private void parentOfBlockTail(int[] left, int leftOff, int rootFlag) {
        System.arraycopy(left, leftOff, block, 0, 8);
        setIv();
        compress(0, BLOCK, PARENT | rootFlag);
    }

    private void setIv() {
        cv[0] = IV0;
        cv[1] = IV1;
        cv[2] = IV2;
        cv[3] = IV3;
        cv[4] = IV4;
        cv[5] = IV5;
        cv[6] = IV6;
        cv[7] = IV7;
    }

    /*
     * Message words are assembled from single bytes, and the output written byte by byte, on purpose:
     * with int-view VarHandles over the same byte arrays that ByteBuffer and VarHandle long accesses
     * also touch, C2 on JDK 17.0.15 produced wrong hashes once the code was hot (reproduced twice by
     * CrashRecoveryTest followed by EventStoreTest in one JVM; gone with this version). Plain byte accesses have
     * no such aliasing hazard.
     */
    private void load(byte[] in, int off) {
        for (int i = 0; i < 16; i++) {
            int o = off + 4 * i;
            block[i] = in[o] & 0xFF | (in[o + 1] & 0xFF) << 8 | (in[o + 2] & 0xFF) << 16 | (in[o + 3] & 0xFF) << 24;
        }
    }

    /** A last block of {@code len < 64} bytes, zero-padded. */
    private void loadPartial(byte[] in, int off, int len) {
        java.util.Arrays.fill(block, 0);
        for (int i = 0; i < len; i++) {
            block[i >>> 2] |= (in[off + i] & 0xFF) << ((i & 3) << 3);
        }
    }

    /** The compression function: cv ← first half of compress(cv, block, counter, blockLen, flags). */
    private void compress(long counter, int blockLen, int flags) {
        int[] h = cv;
        int[] w = block;
        int v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
        int v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
        int v12 = (int) counter, v13 = (int) (counter >>> 32), v14 = blockLen, v15 = flags;
        int m0 = w[0], m1 = w[1], m2 = w[2], m3 = w[3], m4 = w[4], m5 = w[5], m6 = w[6], m7 = w[7];
        int m8 = w[8], m9 = w[9], m10 = w[10], m11 = w[11], m12 = w[12], m13 = w[13], m14 = w[14], m15 = w[15];
        for (int round = 0; round < 7; round++) {
            // columns, then diagonals
            v0 += v4 + m0; v12 = Integer.rotateRight(v12 ^ v0, 16); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 12);
            v0 += v4 + m1; v12 = Integer.rotateRight(v12 ^ v0, 8); v8 += v12; v4 = Integer.rotateRight(v4 ^ v8, 7);
            v1 += v5 + m2; v13 = Integer.rotateRight(v13 ^ v1, 16); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 12);
            v1 += v5 + m3; v13 = Integer.rotateRight(v13 ^ v1, 8); v9 += v13; v5 = Integer.rotateRight(v5 ^ v9, 7);
            v2 += v6 + m4; v14 = Integer.rotateRight(v14 ^ v2, 16); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 12);
            v2 += v6 + m5; v14 = Integer.rotateRight(v14 ^ v2, 8); v10 += v14; v6 = Integer.rotateRight(v6 ^ v10, 7);
            v3 += v7 + m6; v15 = Integer.rotateRight(v15 ^ v3, 16); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 12);
            v3 += v7 + m7; v15 = Integer.rotateRight(v15 ^ v3, 8); v11 += v15; v7 = Integer.rotateRight(v7 ^ v11, 7);
            v0 += v5 + m8; v15 = Integer.rotateRight(v15 ^ v0, 16); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 12);
            v0 += v5 + m9; v15 = Integer.rotateRight(v15 ^ v0, 8); v10 += v15; v5 = Integer.rotateRight(v5 ^ v10, 7);
            v1 += v6 + m10; v12 = Integer.rotateRight(v12 ^ v1, 16); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 12);
            v1 += v6 + m11; v12 = Integer.rotateRight(v12 ^ v1, 8); v11 += v12; v6 = Integer.rotateRight(v6 ^ v11, 7);
            v2 += v7 + m12; v13 = Integer.rotateRight(v13 ^ v2, 16); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 12);
            v2 += v7 + m13; v13 = Integer.rotateRight(v13 ^ v2, 8); v8 += v13; v7 = Integer.rotateRight(v7 ^ v8, 7);
            v3 += v4 + m14; v14 = Integer.rotateRight(v14 ^ v3, 16); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 12);
            v3 += v4 + m15; v14 = Integer.rotateRight(v14 ^ v3, 8); v9 += v14; v4 = Integer.rotateRight(v4 ^ v9, 7);
            // message permutation of the specification: m'[i] = m[{2,6,3,10,7,0,4,13,1,11,12,5,9,14,15,8}[i]]
            int t0 = m2, t1 = m6, t2 = m3, t3 = m10, t4 = m7, t5 = m0, t6 = m4, t7 = m13;
            int t8 = m1, t9 = m11, t10 = m12, t11 = m5, t12 = m9, t13 = m14, t14 = m15, t15 = m8;
            m0 = t0; m1 = t1; m2 = t2; m3 = t3; m4 = t4; m5 = t5; m6 = t6; m7 = t7;
            m8 = t8; m9 = t9; m10 = t10; m11 = t11; m12 = t12; m13 = t13; m14 = t14; m15 = t15;
        }
        h[0] = v0 ^ v8;
        h[1] = v1 ^ v9;
        h[2] = v2 ^ v10;
        h[3] = v3 ^ v11;
        h[4] = v4 ^ v12;
        h[5] = v5 ^ v13;
        h[6] = v6 ^ v14;
        h[7] = v7 ^ v15;
    }
}
