package io.filterscope.spi;

/** Where a backend runs inference. */
public enum ExecutionProvider {
    /** The CPU; always available. */
    CPU,
    /**
     * An NVIDIA GPU through CUDA. A backend that cannot use it (no CUDA build, no libraries, no
     * device) says why in one log line and falls back to {@link #CPU}.
     */
    CUDA
}
