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

    .global foldfit_af3_adapter_begin
    .global foldfit_af3_adapter_end
foldfit_af3_adapter_begin:
    .incbin "../python/foldfit_af3_adapter.py"
foldfit_af3_adapter_end:
    .byte 0

    .section .note.GNU-stack,"",@progbits
