package io.nerva.format;

import java.util.Optional;

/**
 * The element types of the safetensors format with their sizes in bytes. Knowing every size
 * lets the header be validated completely even for tensors Nerva cannot load (an {@code I64}
 * step counter in a PyTorch checkpoint, say). Sub-byte types (F4, F6) are not listed, so a
 * header using them is rejected as having an unknown dtype.
 */
public enum DType {
    BOOL(1),
    U8(1),
    I8(1),
    F8_E5M2(1),
    F8_E4M3(1),
    F8_E8M0(1),
    I16(2),
    U16(2),
    F16(2),
    BF16(2),
    I32(4),
    U32(4),
    F32(4),
    I64(8),
    U64(8),
    F64(8);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    public int byteSize() {
        return byteSize;
    }

    /** True for the types {@code SafeTensors.load} converts to float: F32 exactly, F16, BF16 and F64 by rounding. */
    public boolean loadableAsFloat() {
        return this == F32 || this == F16 || this == BF16 || this == F64;
    }

    /** The type spelled exactly as in a header ({@code "F32"}), if there is one. */
    public static Optional<DType> fromHeader(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) return Optional.of(t);
        }
        return Optional.empty();
    }
}
