"""Model mmCIF files for the fake AlphaFold 3: the categories AlphaFold 3's own output
holds for protein chains (entry, chem_comp, entity, entity_poly, entity_poly_seq,
struct_asym, pdbx_poly_seq_scheme, atom_site), one CA atom per residue on made-up
coordinates. Chain ids are the input's, label and auth alike, as AlphaFold 3 writes them.
FAKE_AF3_UNRESOLVED="A:2,B:5" leaves those residues (1-based) without atoms."""

import os

_THREE = {"A": "ALA", "R": "ARG", "N": "ASN", "D": "ASP", "C": "CYS", "Q": "GLN", "E": "GLU", "G": "GLY",
          "H": "HIS", "I": "ILE", "L": "LEU", "K": "LYS", "M": "MET", "F": "PHE", "P": "PRO", "S": "SER",
          "T": "THR", "W": "TRP", "Y": "TYR", "V": "VAL", "X": "UNK"}


def write_model_cif(path, name, job, seed=0):
    unresolved = set()
    for item in filter(None, os.environ.get("FAKE_AF3_UNRESOLVED", "").split(",")):
        chain, res = item.split(":")
        unresolved.add((chain, int(res)))
    entities = []  # (entity id, chain ids, residues)
    for entry in job.get("sequences", []):
        if "protein" not in entry:
            continue
        p = entry["protein"]
        ids = p["id"] if isinstance(p["id"], list) else [p["id"]]
        residues = [_THREE.get(c, "UNK") for c in p["sequence"]]
        for m in p.get("modifications") or []:
            residues[m["ptmPosition"] - 1] = m["ptmType"]
        entities.append((str(len(entities) + 1), ids, residues))
    out = [f"data_{name}", "#", f"_entry.id {name}", "#", "loop_", "_chem_comp.id", "_chem_comp.type"]
    for comp in sorted({r for _, _, rs in entities for r in rs}):
        out.append(f"{comp} 'L-peptide linking'")
    out += ["#", "loop_", "_entity.id", "_entity.type"] + [f"{e} polymer" for e, _, _ in entities]
    out += ["#", "loop_", "_entity_poly.entity_id", "_entity_poly.type", "_entity_poly.pdbx_strand_id"]
    out += [f"{e} polypeptide(L) {','.join(ids)}" for e, ids, _ in entities]
    out += ["#", "loop_", "_entity_poly_seq.entity_id", "_entity_poly_seq.num", "_entity_poly_seq.mon_id",
            "_entity_poly_seq.hetero"]
    out += [f"{e} {i + 1} {r} n" for e, _, rs in entities for i, r in enumerate(rs)]
    out += ["#", "loop_", "_struct_asym.id", "_struct_asym.entity_id"]
    out += [f"{c} {e}" for e, ids, _ in entities for c in ids]
    out += ["#", "loop_"] + [f"_pdbx_poly_seq_scheme.{k}" for k in (
        "asym_id", "entity_id", "seq_id", "mon_id", "pdb_seq_num", "auth_seq_num", "pdb_mon_id", "auth_mon_id",
        "pdb_strand_id", "pdb_ins_code", "hetero")]
    out += [f"{c} {e} {i + 1} {r} {i + 1} {i + 1} {r} {r} {c} . n"
            for e, ids, rs in entities for c in ids for i, r in enumerate(rs)]
    out += ["#", "loop_"] + [f"_atom_site.{k}" for k in (
        "group_PDB", "id", "type_symbol", "label_atom_id", "label_alt_id", "label_comp_id", "label_asym_id",
        "label_entity_id", "label_seq_id", "pdbx_PDB_ins_code", "Cartn_x", "Cartn_y", "Cartn_z", "occupancy",
        "B_iso_or_equiv", "auth_seq_id", "auth_asym_id", "pdbx_PDB_model_num")]
    atom = 0
    for e, ids, rs in entities:
        for k, c in enumerate(ids):
            for i, r in enumerate(rs):
                if (c, i + 1) in unresolved:
                    continue
                atom += 1
                out.append(f"ATOM {atom} C CA . {r} {c} {e} {i + 1} ? {3.8 * i:.3f} {10.0 * k:.3f} {0.1 * seed:.3f} "
                           f"1.00 90.00 {i + 1} {c} 1")
    out.append("#")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
