from django import template

register = template.Library()


@register.simple_tag
def posted_values(posted: dict, question_id) -> list[str]:
    """What the form sent for a question (to show it again after a refusal)."""
    return posted.get(f"q{question_id}", [])


@register.simple_tag
def text_page(texts: dict, question_id):
    return texts.get(question_id)
