#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| naermiljo::fuzz::districts_geojson(data));
