// Loads the app's WebAssembly. A file rather than an inline script, so the content security
// policy can forbid inline code; the module starts the app itself (#[wasm_bindgen(start)]).
import init from "/pkg/linli_ui.js";

init({ module_or_path: "/pkg/linli_ui_bg.wasm" });
