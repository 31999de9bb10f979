{#- Models go to the schema their folder names (staging, marts) on every target, instead of dbt's
    default "<target schema>_<custom schema>", so DuckDB and PostgreSQL share one layout. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name if custom_schema_name is not none else target.schema }}
{%- endmacro %}
