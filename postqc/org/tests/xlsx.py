"""Test workbooks built with openpyxl, independent of the code under test: the org layout by
header name, valid rows to start from, and a reader for what an export wrote."""
from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

UNIT_HEADERS = ["单位编码*", "单位名称*", "层级类型*", "上级单位编码", "排序", "地址", "电话"]
OUTLET_HEADERS = ["网点编码*", "网点名称*", "所属单位编码*", "网点等级*", "区域类型*", "经营方式", "地址*", "经度", "纬度",
                  "电话", "每周营业天数*", "开门时间", "关门时间", "业务范围", "状态", "状态说明"]
STAFF_HEADERS = ["工号*", "姓名*", "手机号", "所属单位编码*", "所在网点编码", "角色*", "状态"]
VEHICLE_HEADERS = ["车牌/编号*", "产权*", "车型*", "所属单位编码*", "使用投递员工号", "配备日期", "状态"]
HEADERS = {"单位": UNIT_HEADERS, "网点": OUTLET_HEADERS, "员工": STAFF_HEADERS, "车辆": VEHICLE_HEADERS}


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with one sheet per entry, rows written as given (the first one is usually the header)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _plain(header: str) -> str:
    return header.rstrip("*")


def org_workbook(**sheets: list[dict]) -> bytes:
    """org_workbook(单位=[unit(...)], 员工=[person(...)]): rows keyed by header (with or without "*")."""
    out = {}
    for name, rows in sheets.items():
        headers = HEADERS[name]
        out[name] = [headers] + [[row.get(_plain(h), "") for h in headers] for row in rows]
    return workbook(out)


def unit(code: str, parent: str = "CY", **fields) -> dict:
    return {"单位编码": code, "单位名称": f"单位{code}", "层级类型": "支局/所", "上级单位编码": parent, **fields}


def outlet(code: str, unit: str = "CY-BJL", **fields) -> dict:
    return {"网点编码": code, "网点名称": f"网点{code}", "所属单位编码": unit, "网点等级": "二级", "区域类型": "城市",
            "地址": f"船营区{code}路 1 号", "每周营业天数": 7, "开门时间": "08:30", "关门时间": "17:00",
            "业务范围": "信件、包裹", **fields}


def person(number: str, unit: str = "CY-BJL", **fields) -> dict:
    return {"工号": number, "姓名": f"员工{number}", "手机号": "13800000000", "所属单位编码": unit, "角色": "营业员",
            **fields}


def read_sheets(data: bytes) -> dict[str, list[dict]]:
    """Every sheet of a workbook as rows keyed by plain header (the "*" dropped)."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        if not rows:
            out[ws.title] = []
            continue
        headers = [_plain(str(h)) if h is not None else "" for h in rows[0]]
        out[ws.title] = [dict(zip(headers, row, strict=False)) for row in rows[1:]]
    return out
