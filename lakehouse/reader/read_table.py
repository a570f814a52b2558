"""Reads an Iceberg table of the lakehouse without Flink: pyiceberg + pyarrow.

    python read_table.py WAREHOUSE NAMESPACE.TABLE [COLUMN ...]

Prints one JSON object: "rows" (the selected columns of every row of the
current snapshot), "files" (each data file with its partition as the table
metadata records it and the distinct partition values found in the file's own
rows) and "deletes" (the number of delete files, which this reader refuses).

The warehouse is the Hadoop catalog's directory; pyiceberg has no Hadoop
catalog, so the table is opened from its newest metadata file, which the
catalog names in version-hint.text.
"""

import json
import os
import sys

import pyarrow.parquet as pq
from pyiceberg.table import StaticTable


def newest_metadata(table_dir: str) -> str:
    metadata = os.path.join(table_dir, "metadata")
    with open(os.path.join(metadata, "version-hint.text"), encoding="utf-8") as hint:
        version = hint.read().strip()
    return os.path.join(metadata, f"v{version}.metadata.json")


def main() -> None:
    warehouse, name, *columns = sys.argv[1:]
    namespace, table_name = name.split(".")
    table = StaticTable.from_metadata(newest_metadata(os.path.join(warehouse, namespace, table_name)))
    partition_fields = [field.name for field in table.spec().fields]
    scan = table.scan(selected_fields=tuple(columns) if columns else ("*",))
    files = []
    deletes = 0
    for task in scan.plan_files():
        deletes += len(task.delete_files)
        path = task.file.file_path.removeprefix("file:")
        partition = {field: task.file.partition[i] for i, field in enumerate(partition_fields)}
        found = pq.ParquetFile(path).read(columns=partition_fields).to_pylist() if partition_fields else []
        distinct = sorted({json.dumps(row, sort_keys=True) for row in found})
        files.append(
            {
                "path": path,
                "records": task.file.record_count,
                "partition": partition,
                "values": [json.loads(value) for value in distinct],
            }
        )
    rows = scan.to_arrow().to_pylist() if files else []
    json.dump({"rows": rows, "files": files, "deletes": deletes}, sys.stdout, default=str)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
