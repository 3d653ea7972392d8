#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| naermiljo::fuzz::facilities_file(data));
