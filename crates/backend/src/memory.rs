//! The allocator's footprint after large requests. glibc's malloc gives each thread that
//! contends for it an arena of its own (up to eight per core) and keeps what is freed in each:
//! after a few 40 MB uploads the server stayed hundreds of MB larger for good
//! (`benches/import_memory.py` measures it). Elsewhere these are no-ops.

/// At most two arenas: set before the runtime's threads start allocating.
pub fn limit_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator settings; called before other threads exist.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// Hands memory freed by a large piece of work (an upload, a preview, an import) back to the
/// system instead of keeping it for later allocations.
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free pages; it is safe to call from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}
