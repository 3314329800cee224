/* embedded_data.S - data files compiled into the library (see data/README.md).
   Each file becomes a pair of symbols: <name>_begin and <name>_end. */
    .section .rodata
    .balign 16

    .global foldfit_ccd_atoms_begin
    .global foldfit_ccd_atoms_end
foldfit_ccd_atoms_begin:
    .incbin "ccd_atoms.tsv"
foldfit_ccd_atoms_end:
    .byte 0

    .global foldfit_gpus_begin
    .global foldfit_gpus_end
foldfit_gpus_begin:
    .incbin "gpus.tsv"
foldfit_gpus_end:
    .byte 0

    .global foldfit_profile_af3_v304_begin
    .global foldfit_profile_af3_v304_end
foldfit_profile_af3_v304_begin:
    .incbin "profiles/alphafold3-v3.0.4.json"
foldfit_profile_af3_v304_end:
    .byte 0

    .global foldfit_calibration_overlays_begin
    .global foldfit_calibration_overlays_end
foldfit_calibration_overlays_begin:
    .incbin "calibration/overlays.json"
foldfit_calibration_overlays_end:
    .byte 0

    .global foldfit_documented_limits_begin
    .global foldfit_documented_limits_end
foldfit_documented_limits_begin:
    .incbin "af3_documented_limits.csv"
foldfit_documented_limits_end:
    .byte 0

    .global foldfit_runtime_model_begin
    .global foldfit_runtime_model_end
foldfit_runtime_model_begin:
    .incbin "runtime_model.json"
foldfit_runtime_model_end:
    .byte 0

    .global foldfit_af3_adapter_begin
    .global foldfit_af3_adapter_end
foldfit_af3_adapter_begin:
    .incbin "../python/foldfit_af3_adapter.py"
foldfit_af3_adapter_end:
    .byte 0

    .global foldfit_verify_helper_begin
    .global foldfit_verify_helper_end
foldfit_verify_helper_begin:
    .incbin "../python/foldfit_xla_verify.py"
foldfit_verify_helper_end:
    .byte 0

    .global foldfit_verify_request_begin
    .global foldfit_verify_request_end
foldfit_verify_request_begin:
    .incbin "../python/foldfit_xla_request.py"
foldfit_verify_request_end:
    .byte 0

    .global foldfit_verify_model_begin
    .global foldfit_verify_model_end
foldfit_verify_model_begin:
    .incbin "../python/foldfit_xla_model.py"
foldfit_verify_model_end:
    .byte 0

    .global foldfit_verify_buffers_begin
    .global foldfit_verify_buffers_end
foldfit_verify_buffers_begin:
    .incbin "../python/foldfit_xla_buffers.py"
foldfit_verify_buffers_end:
    .byte 0

    .global foldfit_verify_targets_begin
    .global foldfit_verify_targets_end
foldfit_verify_targets_begin:
    .incbin "../python/foldfit_xla_targets.py"
foldfit_verify_targets_end:
    .byte 0

    .global foldfit_xla_gpu_targets_begin
    .global foldfit_xla_gpu_targets_end
foldfit_xla_gpu_targets_begin:
    .incbin "xla/gpu_targets.tsv"
foldfit_xla_gpu_targets_end:
    .byte 0

    .global foldfit_xla_compiles_begin
    .global foldfit_xla_compiles_end
foldfit_xla_compiles_begin:
    .incbin "xla/alphafold3-v3.0.4.csv"
foldfit_xla_compiles_end:
    .byte 0

    .section .note.GNU-stack,"",@progbits
