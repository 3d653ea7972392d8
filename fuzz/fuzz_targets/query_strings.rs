#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| naermiljo::fuzz::query_strings(data));
