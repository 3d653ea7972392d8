#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| naermiljo::fuzz::merge_patch(data));
