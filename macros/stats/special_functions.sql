{#-
    Building blocks of the SQL p-values (macros/stats/p_values.sql), in portable SQL only:
    exp, ln, sqrt, arithmetic in 64-bit floats and a generated numbers table. Every literal
    goes through double_literal: on Spark `0.5` is a DECIMAL, and on Postgres a bare integer
    division truncates.
-#}

{% macro double_literal(value) %}
    {#- A numeric literal as a 64-bit float (the engine rounds the decimal text once, correctly). -#}
    {{- return('cast(' ~ value ~ ' as ' ~ modelwatch.type_double() ~ ')') -}}
{% endmacro %}


{% macro safe_exp(expr) %}
    {#-
        exp(x) with x clamped at -700: PostgreSQL raises "value out of range: underflow" where
        exp would leave the normal doubles (x < -708). exp(-700) ~ 1e-304, so a term that should
        vanish contributes < 1e-303 (the p-value macros turn results below 1e-300 into 0).
        The expression appears once, so it may be long.
    -#}
    {{- return(adapter.dispatch('safe_exp', 'modelwatch')(expr)) -}}
{% endmacro %}

{% macro default__safe_exp(expr) -%}
    exp(greatest({{ expr }}, {{ modelwatch.double_literal(-700) }}))
{%- endmacro %}


{% macro horner(variable, coefficients) %}
    {#- c0 + v * (c1 + v * (c2 + ...)): a polynomial in Horner form, coefficients as text literals. -#}
    {%- set ns = namespace(sql=modelwatch.double_literal(coefficients[-1])) -%}
    {%- for c in coefficients[:-1] | reverse -%}
        {%- set ns.sql = '(' ~ modelwatch.double_literal(c) ~ ' + ' ~ variable ~ ' * ' ~ ns.sql ~ ')' -%}
    {%- endfor -%}
    {{- return(ns.sql) -}}
{% endmacro %}


{% macro erfc_of_sqrt(y) %}
    {#-
        erfc(sqrt(y)) for y >= 0 (a column or simple expression: it is repeated), to ~1 ulp
        relative. The rational approximations of fdlibm's s_erf.c (Sun Microsystems, 1993;
        also Go's math.Erfc), written over y = x^2 so that the tail exp(-x^2 - 0.5625 + R/S)/x
        needs no splitting of x to keep exp(-x^2) exact: y is given. Ranges on x: [0, 0.84375)
        1 - erf by a series in x^2; [0.84375, 1.25) around erx; [1.25, 1/0.35) and [1/0.35, 28)
        two tail fits in 1/x^2; 0 from 28 on (erfc(28) < 1e-341).
    -#}
    {{- return(adapter.dispatch('erfc_of_sqrt', 'modelwatch')(y)) -}}
{% endmacro %}

{% macro default__erfc_of_sqrt(y) -%}
    {%- set x = 'sqrt(' ~ y ~ ')' -%}
    {%- set pp = ['1.28379167095512558561e-01', '-3.25042107247001499370e-01', '-2.84817495755985104766e-02',
                  '-5.77027029648944159157e-03', '-2.37630166566501626084e-05'] -%}
    {%- set qq = ['1', '3.97917223959155352819e-01', '6.50222499887672944485e-02', '5.08130628187576562776e-03',
                  '1.32494738004321644526e-04', '-3.96022827877536812320e-06'] -%}
    {%- set pa = ['-2.36211856075265944077e-03', '4.14856118683748331666e-01', '-3.72207876035701323847e-01',
                  '3.18346619901161753674e-01', '-1.10894694282396677476e-01', '3.54783043256182359371e-02',
                  '-2.16637559486879084300e-03'] -%}
    {%- set qa = ['1', '1.06420880400844228286e-01', '5.40397917702171048937e-01', '7.18286544141962662868e-02',
                  '1.26171219808761642112e-01', '1.36370839120290507362e-02', '1.19844998467991074170e-02'] -%}
    {%- set ra = ['-9.86494403484714822705e-03', '-6.93858572707181764372e-01', '-1.05586262253232909814e+01',
                  '-6.23753324503260060396e+01', '-1.62396669462573470355e+02', '-1.84605092906711035994e+02',
                  '-8.12874355063065934246e+01', '-9.81432934416914548592e+00'] -%}
    {%- set sa = ['1', '1.96512716674392571292e+01', '1.37657754143519042600e+02', '4.34565877475229228821e+02',
                  '6.45387271733267880336e+02', '4.29008140027567833386e+02', '1.08635005541779435134e+02',
                  '6.57024977031928170135e+00', '-6.04244152148580987438e-02'] -%}
    {%- set rb = ['-9.86494292470009928597e-03', '-7.99283237680523006574e-01', '-1.77579549177547519889e+01',
                  '-1.60636384855821916062e+02', '-6.37566443368389627722e+02', '-1.02509513161107724954e+03',
                  '-4.83519191608651397019e+02'] -%}
    {%- set sb = ['1', '3.03380607434824582924e+01', '3.25792512996573918826e+02', '1.53672958608443695994e+03',
                  '3.19985821950859553908e+03', '2.55305040643316442583e+03', '4.74528541206955367215e+02',
                  '-2.24409524465858183362e+01'] -%}
    {%- set small = '(' ~ modelwatch.horner(y, pp) ~ ' / ' ~ modelwatch.horner(y, qq) ~ ')' -%}
    {%- set s_mid = '(' ~ x ~ ' - ' ~ modelwatch.double_literal(1) ~ ')' -%}
    {%- set s_tail = '(' ~ modelwatch.double_literal(1) ~ ' / ' ~ y ~ ')' -%}
    (case
        when {{ y }} < {{ modelwatch.double_literal('0.0625') }}
            then {{ modelwatch.double_literal(1) }} - ({{ x }} + {{ x }} * {{ small }})
        when {{ y }} < {{ modelwatch.double_literal('0.7119140625') }}
            then {{ modelwatch.double_literal('0.5') }} - ({{ x }} * {{ small }} + ({{ x }} - {{ modelwatch.double_literal('0.5') }}))
        when {{ y }} < {{ modelwatch.double_literal('1.5625') }}
            then {{ modelwatch.double_literal(1) }} - {{ modelwatch.double_literal('8.45062911510467529297e-01') }}
                - {{ modelwatch.horner(s_mid, pa) }} / {{ modelwatch.horner(s_mid, qa) }}
        when {{ y }} < {{ modelwatch.double_literal('8.163265306122449') }}
            then {{ modelwatch.safe_exp('-' ~ y ~ ' - ' ~ modelwatch.double_literal('0.5625') ~ ' + ' ~ modelwatch.horner(s_tail, ra) ~ ' / ' ~ modelwatch.horner(s_tail, sa)) }} / {{ x }}
        when {{ y }} < {{ modelwatch.double_literal(784) }}
            then {{ modelwatch.safe_exp('-' ~ y ~ ' - ' ~ modelwatch.double_literal('0.5625') ~ ' + ' ~ modelwatch.horner(s_tail, rb) ~ ' / ' ~ modelwatch.horner(s_tail, sb)) }} / {{ x }}
        else {{ modelwatch.double_literal(0) }}
    end)
{%- endmacro %}


{% macro numbers(count) %}
    {#-
        A query of `count` rows, i = 0 .. count - 1 (dbt_utils' generate_series idea, without the
        package): cross joins of {0, 1}, one per bit. Portable to every engine.
    -#}
    {%- if count is not number or count < 1 or count != (count | int) -%}
        {{ exceptions.raise_compiler_error("modelwatch: numbers() needs a whole count >= 1, got " ~ count) }}
    {%- endif -%}
    {%- set bits = [] -%}
    {%- for b in range(0, 40) -%}{%- if (2 ** b) < count -%}{%- do bits.append(b) -%}{%- endif -%}{%- endfor -%}
    {%- if bits | length == 0 -%}
    select 0 as i
    {%- else -%}
    select {% for b in bits %}{{ 2 ** b }} * b{{ b }}.digit{{ ' + ' if not loop.last }}{% endfor %} as i
    from {% for b in bits %}(select 0 as digit union all select 1 as digit) as b{{ b }}{{ ' cross join ' if not loop.last }}{% endfor %}
    where {% for b in bits %}{{ 2 ** b }} * b{{ b }}.digit{{ ' + ' if not loop.last }}{% endfor %} < {{ count | int }}
    {%- endif -%}
{% endmacro %}


{% macro gcd(a, b) %}
    {#- Greatest common divisor of two non-negative integers (null when either is null). -#}
    {{- return(adapter.dispatch('gcd', 'modelwatch')(a, b)) -}}
{% endmacro %}

{% macro default__gcd(a, b) -%}
    gcd(cast({{ a }} as {{ dbt.type_bigint() }}), cast({{ b }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro spark__gcd(a, b) -%}
    {#- No gcd() in Spark SQL: Euclid's algorithm as a fold (93 steps cover every 64-bit pair: Lame's bound). -#}
    aggregate(
        sequence(1, 93),
        named_struct('a', cast({{ a }} as bigint), 'b', cast({{ b }} as bigint)),
        (acc, step) -> if(acc.b = 0, acc, named_struct('a', acc.b, 'b', acc.a % acc.b)),
        acc -> acc.a
    )
{%- endmacro %}
