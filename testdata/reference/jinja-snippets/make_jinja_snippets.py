"""Renders small templates that exercise Python-isms of chat templates with transformers' own renderer.

Written by PersonaScope (not part of the shared reference set): each snippet is rendered by
transformers.utils.chat_template_utils.render_jinja_template (transformers 5.18, jinja2 3.1.6) with the
conversation below, add_generation_prompt=True, bos_token "<s>", strftime_now frozen at 2025-01-15T12:00:00;
snippets.jsonl holds {"template", "expected"} or {"template", "error", "error_type"}.

    python make_jinja_snippets.py > snippets.jsonl
"""
import datetime
import json
import sys
from unittest import mock

from transformers.utils import chat_template_utils as ctu

MESSAGES = [
    {"role": "system", "content": "  Be brief.  "},
    {"role": "user", "content": "hello world, it's me", "name": "ann"},
    {"role": "assistant", "content": "Hi\nthere", "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1, "s": "é\"q"}}}]},
    {"role": "user", "content": "a,b,,c"},
]

SNIPPETS = [
    "{{ true }} {{ false }} {{ none }} {{ 1 == 1 }} {{ [1, 'a', true, none] }} {{ {'a': 1, 'b': 'x'} }}",
    "{{ 3 / 2 }} {{ 7 // 2 }} {{ 2 ** 3 }} {{ 1.0 }} {{ 10 % 3 }}",
    "{{ messages[2].tool_calls|tojson }}|{{ messages[2].tool_calls[0].function.arguments|tojson(indent=2) }}",
    "{{ {'b': 1, 'a': [1, 2]}|tojson(sort_keys=True) }} {{ 'x\"y'|tojson }} {{ none|tojson }}",
    "{{ messages[0].content.strip() }}|{{ messages[0].content.lstrip() }}|{{ messages[0].content.rstrip() }}|{{ 'xxhixx'.strip('x') }}",
    "{{ messages[1].content.title() }} {{ messages[1].content.upper() }} {{ 'ABC def'.lower() }} {{ 'hELLO'.capitalize() }}",
    "{{ messages[3].content.split(',') }} {{ ' a  b '.split() }} {{ 'a-b-c'.split('-', 1) }} {{ 'a-b-c'.rsplit('-', 1) }}",
    "{{ messages[1].content.startswith('hello') }} {{ messages[1].content.endswith(('me', 'you')) }} {{ 'abc'.replace('b', 'X') }}",
    "{{ ', '.join(['a', 'b']) }} {{ 'abcabc'.find('c') }} {{ 'abcabc'.count('b') }} {{ 'Hi\\nthere'.splitlines() }}",
    "{{ messages[1].get('name') }} {{ messages[1].get('missing', 'dflt') }} {{ messages[1].get('missing') }}",
    "{% for m in messages if m.role == 'user' %}{{ loop.index }}:{{ m.content }}{% if loop.last %}!{% endif %};{% endfor %}",
    "{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}",
    "{{ messages[1:] | length }} {{ messages[::-1][0].role }} {% set ns = namespace(i=0) %}{{ messages[:ns.i+1]|length }} {{ 'abcdef'[1:-1] }} {{ 'abcdef'[::2] }}",
    "{% set ns = namespace(n=messages|length - 1, found=false) %}{{ ns.n }} {{ ns.found }}",
    "{{ not 'x' in 'abc' }} {{ not 1 == 2 }} {{ not messages[0].role == 'system' }}",
    "{% if tools is defined %}D{% endif %}{% if tools is none %}N{% endif %}{% if not tools %}F{% endif %}{{ tools }}",
    "{% if undefined_thing is defined %}D{% else %}U{% endif %}{{ undefined_thing }}|{{ undefined_thing|default('dflt') }}|{{ none|default('dflt') }}|{{ ''|default('dflt', true) }}",
    "{% if messages[1].missing is defined %}D{% else %}U{% endif %}{{ messages[1].missing }}",
    "{{ undefined_thing.attr }}",
    "{{ undefined_thing[0] }}",
    "{% set l = [1] %}{{ l.append(2) }}",
    "{{ raise_exception('stop here') }}",
    "{{ strftime_now('%Y-%m-%d %H:%M, %B %d %A') }}",
    "{% generation %}gen {{ messages[0].role }}{% endgeneration %}",
    "{%- for m in messages %}\n  {%- if m.role == 'user' %}\n    {{- m.content }}\n  {%- endif %}\n{%- endfor %}\n",
    "{{ messages|selectattr('role', 'equalto', 'user')|map(attribute='content')|list }}",
    "{{ messages|map(attribute='role')|join(',') }} {{ messages|length }} {{ (messages|last).role }} {{ messages[-1]['content'] }}",
    "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}",
    "{{ 'a' ~ 1 ~ true }} {{ [1, 2] + [3] }} {{ 'abc' is string }} {{ 3 is number }} {{ messages is iterable }} {{ messages[0] is mapping }}",
    "{{ messages[0]['content'] | trim }}|{{ 'a\\tb' }}|{{ '  padded  ' | trim }}|{{ 'x' | upper }}",
]


def main():
    frozen = datetime.datetime(2025, 1, 15, 12, 0, 0)

    class FrozenDatetime(datetime.datetime):  # transformers does "from datetime import datetime"
        @classmethod
        def now(cls, tz=None):
            return frozen

    with mock.patch.object(ctu, "datetime", FrozenDatetime, create=True):
        for t in SNIPPETS:
            try:
                rendered, _ = ctu.render_jinja_template(conversations=[MESSAGES], chat_template=t, add_generation_prompt=True,
                                                        bos_token="<s>")
                out = {"template": t, "expected": rendered[0]}
            except Exception as e:  # the error a user of transformers would see
                out = {"template": t, "error": f"{type(e).__name__}: {e}", "error_type": type(e).__name__}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
