"""What the public progress page shows of the documents: title, issuer, date and the
delivery state; never a tracking number, an address or a name."""


def public_documents(application) -> list[dict]:
    return [
        {
            "title": row.title + (f"（{row.department.name}）" if row.department_id else ""),
            "issued_at": row.available_at,
            "delivery": row.public_state,
        }
        for row in application.document_deliveries.select_related("department").order_by(
            "available_at", "pk"
        )
    ]
